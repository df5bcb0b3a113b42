package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// The rows of each table. Nullable columns are `any`, holding nil or the
// value, as lib/pq's COPY takes them; dates are "YYYY-MM-DD" strings and
// decimals are strings with two places.
type partnerRow struct {
	id                                          int64
	createdAt                                   time.Time
	name, kind                                  string
	localName, countryCode, region, briSignedOn any
	website, description, externalRef           any
	countryID                                   any
}

type policyRow struct {
	id                                        int64
	createdAt                                 time.Time
	title, level, category, status            string
	summary, documentNumber, issuingAuthority any
	issuedOn, effectiveFrom, effectiveUntil   any
	url, externalRef, supersededByID          any
}

type projectRow struct {
	id                                   int64
	createdAt                            time.Time
	title, sector, status, greenCategory string
	description, amount, currency        any
	amountUSD, commitmentYear            any
	signedOn, startedOn, completedOn     any
	city, latitude, longitude            any
	externalRef, hostCountryID           any
}

type participantRow struct {
	id                   int64
	role                 string
	sharePercent         any
	projectID, partnerID int64
}

// dataset is everything the generator writes.
type dataset struct {
	partners       []partnerRow
	policies       []policyRow
	projects       []projectRow
	participants   []participantRow
	policyProjects [][2]int64 // policy id, project id
	policyPartners [][2]int64 // policy id, partner id
}

// weighted picks one of values with the given relative weights.
type weighted struct {
	values []string
	cumul  []int
	total  int
}

func newWeighted(pairs ...any) weighted {
	var w weighted
	for i := 0; i < len(pairs); i += 2 {
		w.values = append(w.values, pairs[i].(string))
		w.total += pairs[i+1].(int)
		w.cumul = append(w.cumul, w.total)
	}
	return w
}

func (w weighted) pick(r *rand.Rand) string {
	n := r.IntN(w.total)
	for i, c := range w.cumul {
		if n < c {
			return w.values[i]
		}
	}
	return w.values[len(w.values)-1]
}

var (
	partnerKinds = newWeighted(
		"ENTERPRISE", 50, "FINANCIAL_INSTITUTION", 15, "SUBNATIONAL_GOVERNMENT", 10,
		"GOVERNMENT_AGENCY", 10, "RESEARCH_INSTITUTION", 7, "INTERNATIONAL_ORGANIZATION", 5, "OTHER", 3)
	sectors = newWeighted(
		"ENERGY", 20, "TRANSPORT", 17, "LOGISTICS", 6, "MANUFACTURING", 8, "TEXTILES", 3,
		"AGRICULTURE", 6, "MINING", 6, "ICT", 7, "FINANCE", 4, "HEALTH", 4, "EDUCATION", 4,
		"TRADE", 4, "INDUSTRIAL_PARK", 4, "SCIENCE_TECHNOLOGY", 3, "WATER", 3, "OTHER", 1)
	projectStatuses = newWeighted(
		"PIPELINE", 10, "SIGNED", 15, "UNDER_CONSTRUCTION", 25, "OPERATIONAL", 25,
		"COMPLETED", 15, "SUSPENDED", 5, "CANCELLED", 5)
	policyLevels = newWeighted(
		"NATIONAL", 35, "PROVINCIAL", 25, "MUNICIPAL", 15, "BILATERAL", 20, "MULTILATERAL", 5)
	policyStatuses = newWeighted("IN_FORCE", 70, "EXPIRED", 15, "REPEALED", 8, "DRAFT", 7)
	roles          = newWeighted(
		"INVESTOR", 25, "CONTRACTOR", 30, "FINANCIER", 15, "OPERATOR", 10, "IMPLEMENTER", 8,
		"SUPPLIER", 7, "RESEARCH_PARTNER", 3, "OTHER", 2)
	regions          = []string{"AFRICA", "AMERICAS", "ASIA", "EUROPE", "MIDDLE_EAST", "OCEANIA"}
	policyCategories = []string{"NEGATIVE_LIST", "FREE_TRADE_ZONE", "TRADE_FACILITATION", "TARIFF", "INVESTMENT_PROMOTION", "TAX_INCENTIVE", "FINANCIAL_OPENING", "TALENT", "GREEN_DEVELOPMENT", "DIGITAL_ECONOMY", "LOGISTICS_CORRIDOR", "OTHER"}
)

// greenCategories says, per sector, which green categories its projects may
// have and how often; the rest are NONE.
var greenCategories = map[string]weighted{
	"ENERGY":          newWeighted("NONE", 45, "RENEWABLE_ENERGY", 35, "ENERGY_EFFICIENCY", 10, "COAL_POWER_UPGRADE", 10),
	"TRANSPORT":       newWeighted("NONE", 70, "CLEAN_TRANSPORT", 30),
	"LOGISTICS":       newWeighted("NONE", 85, "CLEAN_TRANSPORT", 15),
	"MANUFACTURING":   newWeighted("NONE", 85, "GREEN_MANUFACTURING", 12, "ENERGY_EFFICIENCY", 3),
	"INDUSTRIAL_PARK": newWeighted("NONE", 80, "GREEN_MANUFACTURING", 15, "ENERGY_EFFICIENCY", 5),
	"AGRICULTURE":     newWeighted("NONE", 75, "ECOLOGICAL_PROTECTION", 25),
	"WATER":           newWeighted("NONE", 60, "ECOLOGICAL_PROTECTION", 40),
	"":                newWeighted("NONE", 95, "OTHER_GREEN", 5),
}

// What projects of each sector are called.
var sectorNouns = map[string][]string{
	"ENERGY":             {"Solar Power Plant", "Wind Farm", "Hydropower Station", "Coal Power Plant", "Transmission Line", "Gas Pipeline", "Combined Cycle Power Plant", "Grid Upgrade"},
	"TRANSPORT":          {"Railway", "Expressway", "Bridge", "Metro Line", "Light Rail", "Airport Terminal", "Ring Road", "Tunnel"},
	"LOGISTICS":          {"Dry Port", "Container Terminal", "Logistics Hub", "Cold Chain Centre", "Freight Yard"},
	"MANUFACTURING":      {"Cement Plant", "Steel Mill", "Vehicle Assembly Plant", "Glass Factory", "Fertiliser Plant"},
	"TEXTILES":           {"Textile Mill", "Garment Factory", "Cotton Processing Plant"},
	"AGRICULTURE":        {"Agricultural Demonstration Centre", "Irrigation Scheme", "Rice Processing Plant", "Seed Breeding Farm"},
	"MINING":             {"Copper Mine", "Lithium Mine", "Iron Ore Mine", "Bauxite Mine", "Nickel Smelter"},
	"ICT":                {"Fibre Backbone", "Data Centre", "Safe City System", "4G Network", "Submarine Cable Landing"},
	"FINANCE":            {"Credit Line", "Currency Swap", "Development Fund", "Bank Branch"},
	"HEALTH":             {"General Hospital", "Malaria Clinic", "Medical Supplies Plant"},
	"EDUCATION":          {"Vocational Training Centre", "Luban Workshop", "University Campus", "Confucius Institute"},
	"TRADE":              {"Trade Centre", "Free Trade Zone", "Border Market", "Exhibition Centre"},
	"INDUSTRIAL_PARK":    {"Industrial Park", "Special Economic Zone", "Economic Cooperation Zone"},
	"SCIENCE_TECHNOLOGY": {"Joint Laboratory", "Technology Transfer Centre", "Satellite Ground Station"},
	"WATER":              {"Water Treatment Plant", "Dam", "Desalination Plant", "Water Supply Network"},
	"OTHER":              {"Stadium", "Cultural Centre", "Housing Estate"},
}

var (
	cityPrefixes = []string{"North", "New", "Port", "Lake", "East", "West", "Upper", "Lower", "Saint", "Fort", "Mount", "Old"}
	citySuffixes = []string{"Haven", "Field", "Bridge", "Valley", "Harbor", "Springs", "Ridge", "Bay", "Mills", "Crossing", "Falls", "Point"}
	firmPrefixes = []string{"China", "Sino", "Silk Road", "Eurasia", "Pacific", "Golden Bridge", "Great Wall", "Orient", "Harbour", "Continental", "Belt and Road", "Zhongyuan"}
	firmTrades   = []string{"Power", "Railway", "Energy", "Construction", "Telecom", "Logistics", "Mining", "Water", "Steel", "Harbour Engineering", "Machinery", "Petroleum"}
	firmForms    = []string{"Group", "Corporation", "Holdings", "Co., Ltd.", "International", "Engineering Co."}
	firmLocal    = map[string]string{"Power": "电力", "Railway": "铁路", "Energy": "能源", "Construction": "建设", "Telecom": "通信", "Logistics": "物流", "Mining": "矿业", "Water": "水务", "Steel": "钢铁", "Harbour Engineering": "港湾工程", "Machinery": "机械", "Petroleum": "石油"}
	banks        = []string{"Development Bank", "Export-Import Bank", "Investment Fund", "Commercial Bank", "Infrastructure Fund"}
	authorities  = []string{"State Council", "Ministry of Commerce", "National Development and Reform Commission", "General Administration of Customs", "Ministry of Finance", "People's Bank of China", "Provincial People's Government", "Municipal Commerce Bureau"}
	policyTopics = map[string]string{
		"NEGATIVE_LIST":        "Special Administrative Measures for Foreign Investment Access",
		"FREE_TRADE_ZONE":      "Overall Plan for the Pilot Free Trade Zone",
		"TRADE_FACILITATION":   "Measures to Further Facilitate Cross-Border Trade",
		"TARIFF":               "Notice on Adjusting Import Tariffs",
		"INVESTMENT_PROMOTION": "Opinions on Promoting Foreign Investment",
		"TAX_INCENTIVE":        "Preferential Tax Policies for Encouraged Industries",
		"FINANCIAL_OPENING":    "Measures to Expand the Opening of the Financial Sector",
		"TALENT":               "Measures to Attract Foreign Talent",
		"GREEN_DEVELOPMENT":    "Guidelines for Green Development of the Belt and Road",
		"DIGITAL_ECONOMY":      "Action Plan for Digital Silk Road Cooperation",
		"LOGISTICS_CORRIDOR":   "Plan for the International Land-Sea Trade Corridor",
		"OTHER":                "Notice on Cooperation Matters",
	}
)

// base is the creation time of the first row; every row is created a fixed
// step after the one before, so that timestamps are deterministic too.
var base = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func day(t time.Time) string { return t.Format("2006-01-02") }

// randDate is a uniformly random day from..to (inclusive).
func randDate(r *rand.Rand, from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours()/24) + 1
	return from.AddDate(0, 0, r.IntN(days))
}

func ymd(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// cents formats an amount in cents as a decimal with two places.
func cents(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// distinct picks k distinct values from 0..n-1.
func distinct(r *rand.Rand, n, k int, buf []int) []int {
	buf = buf[:0]
	for len(buf) < k {
		v := r.IntN(n)
		dup := false
		for _, b := range buf {
			if b == v {
				dup = true
				break
			}
		}
		if !dup {
			buf = append(buf, v)
		}
	}
	return buf
}

// syntheticCodes returns n three-letter codes that no real country in the
// list uses, in a fixed order.
func syntheticCodes(n int) []string {
	used := map[string]bool{}
	for _, c := range realCountries {
		used[c.code] = true
	}
	var out []string
	for a := 'Z'; a >= 'A' && len(out) < n; a-- {
		for b := 'A'; b <= 'Z' && len(out) < n; b++ {
			for c := 'A'; c <= 'Z' && len(out) < n; c++ {
				code := string([]rune{a, b, c})
				if !used[code] {
					out = append(out, code)
				}
			}
		}
	}
	return out
}

// generate makes the whole dataset from the options' seed.
func generate(o options) *dataset {
	r := rand.New(rand.NewPCG(o.Seed, 0x6272692d74726b72)) // "bri-trkr"
	ds := &dataset{}
	created := base

	// Countries: the real ones first, then synthetic ones.
	countries := make([]country, 0, o.Countries)
	for i := 0; i < o.Countries && i < len(realCountries); i++ {
		countries = append(countries, realCountries[i])
	}
	for i, code := range syntheticCodes(o.Countries - len(countries)) {
		countries = append(countries, country{
			code: code, name: "Republic of " + code[:1] + strings.ToLower(code[1:]),
			region: regions[i%len(regions)], capital: code[:1] + strings.ToLower(code[1:]) + " City",
			lat: round(r.Float64()*120-60, 2), lon: round(r.Float64()*360-180, 2),
		})
	}
	for i, c := range countries {
		created = created.Add(time.Minute)
		ds.partners = append(ds.partners, partnerRow{
			id: partnerIDStart + int64(i), createdAt: created,
			name: c.name, kind: "COUNTRY", countryCode: c.code, region: c.region,
			briSignedOn: day(randDate(r, ymd(2013, 9, 7), ymd(2023, 12, 31))),
			website:     fmt.Sprintf("https://www.gov.%s.example", strings.ToLower(c.code)),
			description: fmt.Sprintf("%s, capital %s: a Belt and Road partner country.", c.name, c.capital),
			externalRef: "iso3166:" + c.code,
		})
	}

	// Other partners: firms, banks, governments and organisations, each with
	// a home country.
	seen := map[string]int{}
	for i := len(countries); i < o.Partners; i++ {
		kind := partnerKinds.pick(r)
		ci := r.IntN(len(countries))
		home := countries[ci]
		var name string
		var local any
		switch kind {
		case "ENTERPRISE":
			prefix, trade := firmPrefixes[r.IntN(len(firmPrefixes))], firmTrades[r.IntN(len(firmTrades))]
			name = fmt.Sprintf("%s %s %s", prefix, trade, firmForms[r.IntN(len(firmForms))])
			if prefix == "China" {
				local = "中国" + firmLocal[trade] + "集团"
			}
		case "FINANCIAL_INSTITUTION":
			name = fmt.Sprintf("%s %s", home.name, banks[r.IntN(len(banks))])
		case "SUBNATIONAL_GOVERNMENT":
			name = fmt.Sprintf("%s %s Provincial Government", cityPrefixes[r.IntN(len(cityPrefixes))], home.capital)
		case "GOVERNMENT_AGENCY":
			name = fmt.Sprintf("%s %s Authority", home.name, []string{"Investment", "Roads", "Energy", "Ports", "Export Promotion"}[r.IntN(5)])
		case "RESEARCH_INSTITUTION":
			name = fmt.Sprintf("%s Institute of %s", home.capital, []string{"Technology", "Agriculture", "Economics", "Engineering"}[r.IntN(4)])
		case "INTERNATIONAL_ORGANIZATION":
			name = fmt.Sprintf("%s Regional Cooperation Organisation", []string{"Eurasian", "African", "Asian", "Pacific", "Mediterranean"}[r.IntN(5)])
		default:
			name = fmt.Sprintf("%s Friendship Association", home.name)
		}
		if n := seen[name]; n > 0 {
			seen[name] = n + 1
			name = fmt.Sprintf("%s (%d)", name, n+1)
		} else {
			seen[name] = 1
		}
		created = created.Add(time.Minute)
		ds.partners = append(ds.partners, partnerRow{
			id: partnerIDStart + int64(i), createdAt: created,
			name: name, kind: kind, localName: local, region: home.region,
			website:     fmt.Sprintf("https://partner-%d.example.com", i),
			description: fmt.Sprintf("A %s based in %s.", strings.ToLower(strings.ReplaceAll(kind, "_", " ")), home.name),
			externalRef: fmt.Sprintf("bench:partner:%d", i),
			countryID:   partnerIDStart + int64(ci),
		})
	}

	// Policies; about one in twenty is superseded by a later one.
	for i := 0; i < o.Policies; i++ {
		cat := policyCategories[r.IntN(len(policyCategories))]
		issued := randDate(r, ymd(2013, 1, 1), ymd(2024, 12, 31))
		from := issued.AddDate(0, 0, r.IntN(91))
		var until any
		if r.IntN(10) < 3 {
			until = day(from.AddDate(1+r.IntN(5), 0, 0))
		}
		var superseded any
		if i+1 < o.Policies && r.IntN(20) == 0 {
			superseded = policyIDStart + int64(i+1+r.IntN(o.Policies-i-1))
		}
		created = created.Add(time.Minute)
		ds.policies = append(ds.policies, policyRow{
			id: policyIDStart + int64(i), createdAt: created,
			title:            fmt.Sprintf("%s (%d, No. %d)", policyTopics[cat], issued.Year(), i+1),
			summary:          fmt.Sprintf("%s issued in %d; applies from %s.", policyTopics[cat], issued.Year(), day(from)),
			documentNumber:   fmt.Sprintf("国发〔%d〕%d号", issued.Year(), 1+i%60),
			issuingAuthority: authorities[r.IntN(len(authorities))],
			level:            policyLevels.pick(r), category: cat, status: policyStatuses.pick(r),
			issuedOn: day(issued), effectiveFrom: day(from), effectiveUntil: until,
			url:            fmt.Sprintf("https://policies.example.gov/documents/%d", i+1),
			externalRef:    fmt.Sprintf("bench:policy:%d", i+1),
			supersededByID: superseded,
		})
		for _, p := range distinct(r, o.Partners, r.IntN(2*o.PartnersPerPolicy+1), nil) {
			ds.policyPartners = append(ds.policyPartners, [2]int64{policyIDStart + int64(i), partnerIDStart + int64(p)})
		}
	}

	// Projects, their participants and their policies.
	nonCountries := o.Partners - o.Countries
	var buf []int
	ds.projects = make([]projectRow, 0, o.Projects)
	for i := 0; i < o.Projects; i++ {
		id := projectIDStart + int64(i)
		sector := sectors.pick(r)
		green, ok := greenCategories[sector]
		if !ok {
			green = greenCategories[""]
		}
		status := projectStatuses.pick(r)
		p := projectRow{
			id: id, createdAt: base.Add(time.Duration(i) * time.Second),
			sector: sector, status: status, greenCategory: green.pick(r),
			externalRef: fmt.Sprintf("bench:project:%d", i+1),
		}

		// Where: most projects are in one host country.
		ci := -1
		if r.IntN(100) < 97 {
			ci = r.IntN(len(countries))
			c := countries[ci]
			p.hostCountryID = partnerIDStart + int64(ci)
			city := c.capital
			if r.IntN(10) >= 4 {
				city = cityPrefixes[r.IntN(len(cityPrefixes))] + " " + citySuffixes[r.IntN(len(citySuffixes))]
			}
			p.city = city
			p.latitude = round(clamp(c.lat+r.NormFloat64()*1.5, -90, 90), 5)
			p.longitude = round(clamp(c.lon+r.NormFloat64()*1.5, -180, 180), 5)
		}
		nouns := sectorNouns[sector]
		noun := nouns[r.IntN(len(nouns))]
		place := "Regional"
		if p.city != nil {
			place = p.city.(string)
		}
		p.title = fmt.Sprintf("%s %s", place, noun)
		if r.IntN(4) == 0 {
			p.title += fmt.Sprintf(" Phase %d", 2+r.IntN(3))
		}

		// When: commitments cluster after 2013.
		year := 2013 + r.IntN(12)
		if r.IntN(5) == 0 {
			year = 2000 + r.IntN(13)
		}
		p.commitmentYear = year
		signed := randDate(r, ymd(year, 1, 1), ymd(year, 12, 31))
		if status != "PIPELINE" {
			p.signedOn = day(signed)
		}
		if status != "PIPELINE" && status != "SIGNED" && status != "CANCELLED" {
			started := signed.AddDate(0, 0, 30+r.IntN(700))
			p.startedOn = day(started)
			if status == "COMPLETED" || status == "OPERATIONAL" {
				p.completedOn = day(started.AddDate(0, 0, 180+r.IntN(1800)))
			}
		}

		// How much: log-uniform from 100 thousand to 5 billion dollars.
		if r.IntN(100) < 97 {
			usd := int64(math.Exp(math.Log(1e7) + r.Float64()*(math.Log(5e11)-math.Log(1e7))))
			p.amountUSD = cents(usd)
			switch n := r.IntN(10); {
			case n < 6:
				p.amount, p.currency = cents(usd), "USD"
			case n < 9:
				p.amount, p.currency = cents(usd*71/10), "CNY"
			default:
				p.amount, p.currency = cents(usd*92/100), "EUR"
			}
		}
		p.description = fmt.Sprintf("%s in the %s sector, committed in %d. Status: %s. Generated for benchmarks (seed %d).",
			p.title, strings.ToLower(sector), year, strings.ToLower(status), o.Seed)
		ds.projects = append(ds.projects, p)

		// Participants: 1 to 2n-1, the host government sometimes among
		// them, the rest from the non-country partners when there are
		// enough of them.
		k := 1 + r.IntN(2*o.ParticipantsPerProj-1)
		hostGov := ci >= 0 && r.IntN(10) < 3
		if hostGov {
			ds.participants = append(ds.participants, participantRow{
				id: participantIDStart + int64(len(ds.participants)), role: "HOST_GOVERNMENT",
				projectID: id, partnerID: partnerIDStart + int64(ci),
			})
			k--
		}
		if nonCountries >= k {
			buf = distinct(r, nonCountries, k, buf)
			for j := range buf {
				buf[j] += o.Countries
			}
		} else {
			buf = buf[:0]
			for _, v := range distinct(r, o.Partners, min(k+1, o.Partners), nil) {
				if len(buf) < k && !(hostGov && v == ci) {
					buf = append(buf, v)
				}
			}
		}
		for _, pi := range buf {
			var share any
			if r.IntN(3) == 0 {
				share = float64(5 * (1 + r.IntN(20)))
			}
			ds.participants = append(ds.participants, participantRow{
				id: participantIDStart + int64(len(ds.participants)), role: roles.pick(r), sharePercent: share,
				projectID: id, partnerID: partnerIDStart + int64(pi),
			})
		}

		// Policies: 0 to 2n.
		if o.Policies > 0 {
			for _, pi := range distinct(r, o.Policies, r.IntN(2*o.PoliciesPerProj+1), buf[:0]) {
				ds.policyProjects = append(ds.policyProjects, [2]int64{policyIDStart + int64(pi), id})
			}
		}
	}
	return ds
}

// participantPairs are the distinct (project, partner) pairs of the
// participations, in their order: the project_partners links the server's
// rules keep.
func (ds *dataset) participantPairs() [][2]int64 {
	seen := make(map[[2]int64]bool, len(ds.participants))
	var out [][2]int64
	for _, p := range ds.participants {
		k := [2]int64{p.projectID, p.partnerID}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
