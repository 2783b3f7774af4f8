"""The site control loop: the central system's side of smart charging (issue 17).

It turns each controlled site's open transactions (`sites.problem_source`) into an
allocation (`smart_charging.allocate`) and sends only the limits that changed as OCPP
charging profiles (`charging_profiles`). See docs/smart-charging.md, "The control loop".
"""
