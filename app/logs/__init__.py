"""Member logs 个人活动记录: what no one scheduled, reviewed by the secretary."""
