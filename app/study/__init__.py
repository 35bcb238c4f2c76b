"""Study sessions and organisational life 学习与组织生活."""
