package aiddatagen

// The values generated rows draw from: real names and AidData's own
// spellings, so that generated files exercise the same mappings as the
// published data.

type recipient struct{ name, iso3, region, currency string }

var recipients = []recipient{
	{"Malaysia", "MYS", "Asia", "MYR"},
	{"Pakistan", "PAK", "Asia", "PKR"},
	{"Indonesia", "IDN", "Asia", "IDR"},
	{"Cambodia", "KHM", "Asia", "KHR"},
	{"Lao People's Democratic Republic", "LAO", "Asia", "LAK"},
	{"Kazakhstan", "KAZ", "Asia", "KZT"},
	{"Sri Lanka", "LKA", "Asia", "LKR"},
	{"Bangladesh", "BGD", "Asia", "BDT"},
	{"Viet Nam", "VNM", "Asia", "VND"},
	{"Angola", "AGO", "Africa", "AOA"},
	{"Ethiopia", "ETH", "Africa", "ETB"},
	{"Kenya", "KEN", "Africa", "KES"},
	{"Nigeria", "NGA", "Africa", "NGN"},
	{"Zambia", "ZMB", "Africa", "ZMW"},
	{"Côte d'Ivoire", "CIV", "Africa", "XOF"},
	{"Democratic Republic of the Congo", "COD", "Africa", "CDF"},
	{"Egypt", "EGY", "Middle East", "EGP"},
	{"Iran", "IRN", "Middle East", "IRR"},
	{"Serbia", "SRB", "Europe", "RSD"},
	{"Belarus", "BLR", "Europe", "BYN"},
	{"Hungary", "HUN", "Europe", "HUF"},
	{"Brazil", "BRA", "America", "BRL"},
	{"Ecuador", "ECU", "America", "USD"},
	{"Venezuela", "VEN", "America", "VES"},
	{"Jamaica", "JAM", "America", "JMD"},
	{"Argentina", "ARG", "America", "ARS"},
	{"Papua New Guinea", "PNG", "Oceania", "PGK"},
	{"Fiji", "FJI", "Oceania", "FJD"},
	{"Tonga", "TON", "Oceania", "TOP"},
	{"Samoa", "WSM", "Oceania", "WST"},
}

type named struct{ name, typ string }

// funders are Chinese funding agencies; GCDF types them without the
// "Chinese" prefix.
var funders = []named{
	{"Export-Import Bank of China (China Eximbank)", "State-owned Policy Bank"},
	{"China Development Bank (CDB)", "State-owned Policy Bank"},
	{"Industrial and Commercial Bank of China (ICBC)", "State-owned Commercial Bank"},
	{"Bank of China (BOC)", "State-owned Commercial Bank"},
	{"China Construction Bank Corporation (CCB)", "State-owned Commercial Bank"},
	{"Agricultural Bank of China (ABC)", "State-owned Commercial Bank"},
	{"Silk Road Fund", "State-owned Fund"},
	{"China-Africa Development Fund (CADFund)", "State-owned Fund"},
	{"China Ministry of Commerce", "Government Agency"},
	{"Chinese Embassy", "Government Agency"},
	{"China Ministry of Education", "Government Agency"},
	{"Shandong Provincial Government", "Government Agency"},
	{"Qingdao Municipal Government", "Government Agency"},
	{"People's Bank of China (PBC)", "Government Agency"},
	{"China Harbour Engineering Co., Ltd.", "State-owned Company"},
	{"China Communications Construction Co., Ltd. (CCCC)", "State-owned Company"},
	{"Sinohydro Corporation Limited", "State-owned Company"},
	{"Power Construction Corporation of China (PowerChina)", "State-owned Company"},
	{"China Railway Construction Corporation (CRCC)", "State-owned Company"},
	{"Huawei Technologies Co., Ltd.", "Private Sector"},
}

// cofinanciers are typed with their origin prefix, as GCDF does.
var cofinanciers = []named{
	{"Standard Chartered Bank PLC", "Other Private Sector"},
	{"Mizuho Bank", "Other Private Sector"},
	{"BNP Paribas S.A.", "Other Private Sector"},
	{"Asian Development Bank (ADB)", "Other Intergovernmental Organization"},
	{"World Bank", "Other Intergovernmental Organization"},
	{"Bank of Taiwan", "Other State-owned Bank"},
	{"Bank of China (BOC)", "Chinese State-owned Commercial Bank"},
	{"China Development Bank (CDB)", "Chinese State-owned Policy Bank"},
	{"China Merchants Bank", "Chinese State-owned Commercial Bank"},
	{"Fosun Foundation", "Chinese NGO/CSO/Foundation"},
}

// implementers are typed with their origin prefix; "%s" is the recipient.
var implementers = []named{
	{"China Harbour Engineering Co., Ltd.", "Chinese State-owned Company"},
	{"China Road and Bridge Corporation (CRBC)", "Chinese State-owned Company"},
	{"China State Construction Engineering Corporation (CSCEC)", "Chinese State-owned Company"},
	{"China State Construction Engineering (M) Sdn. Bhd", "Chinese State-owned Company"},
	{"Sinohydro Corporation Limited", "Chinese State-owned Company"},
	{"ZTE Corporation", "Chinese Private Sector"},
	{"Chinese Embassy", "Chinese Government Agency"},
	{"Ministry of Finance of %s", "Recipient Government Agency"},
	{"Ministry of Health of %s", "Recipient Government Agency"},
	{"%s National Power Company", "Recipient State-owned Company"},
	{"%s Red Cross Society", "Recipient NGO/CSO/Foundation"},
	{"Bornion Guangken Rubber Sdn Bhd", "Other Joint Venture/Special Purpose Vehicle"},
	{"United Nations Development Programme (UNDP)", "Other Intergovernmental Organization"},
	{"Unspecified contractor", "Recipient Miscellaneous Agency Type"},
}

type sector struct{ code, name string }

// sectors are GCDF 3.0's sector names; repeats weight the common ones.
var sectors = []sector{
	{"110", "EDUCATION"}, {"120", "HEALTH"}, {"120", "HEALTH"},
	{"130", "POPULATION POLICIES/PROGRAMMES AND REPRODUCTIVE HEALTH"},
	{"140", "WATER SUPPLY AND SANITATION"}, {"150", "GOVERNMENT AND CIVIL SOCIETY"},
	{"160", "OTHER SOCIAL INFRASTRUCTURE AND SERVICES"},
	{"210", "TRANSPORT AND STORAGE"}, {"210", "TRANSPORT AND STORAGE"}, {"210", "TRANSPORT AND STORAGE"},
	{"220", "COMMUNICATIONS"}, {"230", "ENERGY"}, {"230", "ENERGY"}, {"230", "ENERGY"},
	{"240", "BANKING AND FINANCIAL SERVICES"}, {"250", "BUSINESS AND OTHER SERVICES"},
	{"310", "AGRICULTURE, FORESTRY, FISHING"}, {"320", "INDUSTRY, MINING, CONSTRUCTION"},
	{"320", "INDUSTRY, MINING, CONSTRUCTION"}, {"330", "TRADE POLICIES AND REGULATIONS"},
	{"410", "GENERAL ENVIRONMENTAL PROTECTION"}, {"430", "OTHER MULTISECTOR"},
	{"510", "GENERAL BUDGET SUPPORT"}, {"520", "DEVELOPMENTAL FOOD AID/FOOD SECURITY ASSISTANCE"},
	{"530", "NON-FOOD COMMODITY ASSISTANCE"}, {"600", "ACTION RELATING TO DEBT"},
	{"720", "EMERGENCY RESPONSE"}, {"730", "RECONSTRUCTION RELIEF AND REHABILITATION"},
	{"740", "DISASTER PREVENTION AND PREPAREDNESS"},
	{"920", "SUPPORT TO NON-GOVERNMENTAL ORGANIZATIONS (NGOs) AND GOVERNMENT ORGANIZATIONS"},
	{"998", "UNALLOCATED/UNSPECIFIED"},
}

// works are what titles finance, by sector code; the green words among
// them ("solar", "railway", "supercritical coal-fired"...) exercise the
// green category rule.
var works = map[string][]string{
	"110": {"Confucius Institute", "Primary School Construction", "Vocational Training Centre"},
	"120": {"General Hospital Construction", "Medical Team Dispatch", "Malaria Prevention Centre"},
	"130": {"Maternal Health Clinic"},
	"140": {"Water Supply", "Wastewater Treatment Plant", "Rural Water Wells"},
	"150": {"Government Office Complex", "Police Equipment Donation"},
	"160": {"Youth Centre", "Social Housing", "Stadium Construction"},
	"210": {"Highway Rehabilitation", "Railway Construction", "Metro Line 1", "Port Expansion", "International Airport Terminal", "Electric Bus Fleet"},
	"220": {"National Fiber-Optic Backbone", "4G Mobile Network", "Safe City CCTV"},
	"230": {"Solar Power Plant", "Hydropower Station", "Wind Farm", "Supercritical Coal-Fired Power Plant Upgrade", "Coal-Fired Power Plant", "Transmission Line", "LED Street Lighting"},
	"240": {"Credit Facility", "Currency Swap Drawdown", "SME On-Lending Facility"},
	"250": {"Business Centre", "Investment Promotion Office"},
	"310": {"Agricultural Technology Demonstration Centre", "Rubber Plantation", "Forest Reserve Management"},
	"320": {"Cement Plant", "Copper Mine", "Textile Mill", "Industrial Park", "Steel Mill"},
	"330": {"Customs Inspection Equipment", "Trade Facilitation Centre"},
	"410": {"Biodiversity Conservation", "Environmental Monitoring Station"},
	"430": {"Urban Development", "Rural Development Programme"},
	"510": {"Budget Support"},
	"520": {"Emergency Food Aid", "Rice Donation"},
	"530": {"Vehicle Donation", "Office Equipment Donation"},
	"600": {"Debt Relief", "Loan Rescheduling"},
	"720": {"Flood Relief", "Earthquake Emergency Aid"},
	"730": {"Post-Cyclone Reconstruction"},
	"740": {"Early Warning System"},
	"920": {"Red Cross Donation"},
	"998": {"Unspecified Cooperation"},
}

var statuses = []string{"Pipeline: Pledge", "Pipeline: Commitment", "Implementation", "Completion", "Completion", "Completion", "Suspended", "Cancelled"}

var flowTypes = []string{"Loan", "Grant", "Loan", "Grant", "Debt Forgiveness", "Free-standing technical assistance", "Scholarships/training in the donor country", "Vague (Official Finance)"}

var currencies = []string{"USD", "USD", "USD", "CNY", "CNY", "EUR"}
