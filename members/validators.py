"""Resident ID numbers: the one implementation lives in organizations.validators (shared with instructors)."""

from organizations.validators import age_on, check_person, normalize_id_number, parse_id_number

__all__ = ["age_on", "check_person", "normalize_id_number", "parse_id_number"]
