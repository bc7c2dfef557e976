"""The specialist's screen: "assigned to me" and "my unit", scan to receive, one key to the next step."""
