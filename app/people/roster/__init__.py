"""The roster import (an XLSX checked row by row, applied on confirmation) and export, under
/members with a blueprint of its own."""
