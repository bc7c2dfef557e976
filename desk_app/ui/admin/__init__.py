"""The administrator's screen: units, people and roles, workflows, working hours, holidays, the agency."""
