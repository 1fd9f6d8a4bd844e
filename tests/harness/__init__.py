"""Helpers the tests share: mail, URL enumeration and permission rules, query counts."""
