"""Facts the tests check the product against, stated once."""

# DESIGN.md §3: the seed plan's indicator catalog and its exact targets, in the catalog's order.
CATALOG_TARGETS = {
    "village_mobile_broadband_coverage": 100,
    "village_fixed_broadband_coverage": 100,
    "bts_site_sharing": 17,
    "pole_sharing": 95,
    "duct_sharing": 50,
    "commune_government_network": 100,
    "smartphone_subscription_share": 85,
    "internet_users": 97,
    "household_fiber": 90,
    "adult_smartphone": 90,
    "household_internet": 95,
    "fixed_individual_100mbps": 80,
    "fixed_organisation_500mbps": 80,
    "mobile_60mbps_population_coverage": 100,
    "agencies_on_digital_platforms": 100,
}
