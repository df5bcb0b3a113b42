package importer

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/search"
)

// AgencyKinds maps AidData's agency types, without their origin prefix
// ("Chinese", "Recipient", "Other"), to partner kinds. Types not listed
// give OTHER.
var AgencyKinds = []struct {
	Type string
	Kind partner.Kind
}{
	{"Government Agency", partner.KindGOVERNMENT_AGENCY},
	{"State-owned Policy Bank", partner.KindFINANCIAL_INSTITUTION},
	{"State-owned Commercial Bank", partner.KindFINANCIAL_INSTITUTION},
	{"State-owned Bank", partner.KindFINANCIAL_INSTITUTION},
	{"State-owned Fund", partner.KindFINANCIAL_INSTITUTION},
	{"State-owned Company", partner.KindENTERPRISE},
	{"Private Sector", partner.KindENTERPRISE},
	{"Joint Venture/Special Purpose Vehicle", partner.KindENTERPRISE},
	{"Special Purpose Vehicle", partner.KindENTERPRISE},
	{"Intergovernmental Organization", partner.KindINTERNATIONAL_ORGANIZATION},
	{"Multilateral Organization", partner.KindINTERNATIONAL_ORGANIZATION},
	{"NGO/CSO/Foundation", partner.KindOTHER},
	{"Miscellaneous Agency Type", partner.KindOTHER},
}

var kindByType = func() map[string]partner.Kind {
	m := map[string]partner.Kind{}
	for _, k := range AgencyKinds {
		m[search.Normalize(k.Type)] = k.Kind
	}
	return m
}()

// origin is where an agency type's prefix says the agency is from.
type origin int

const (
	originUnknown   origin = iota // no prefix (funding agencies' types have none)
	originChinese                 // "Chinese ..."
	originRecipient               // "Recipient ...": the project's host country
	originOther                   // "Other ...": a third country, not named
)

var originPrefixes = []struct {
	prefix string
	origin origin
}{{"chinese ", originChinese}, {"recipient ", originRecipient}, {"other ", originOther}}

// splitType separates a type's origin prefix from the type proper.
func splitType(t string) (origin, string) {
	key := search.Normalize(t)
	for _, p := range originPrefixes {
		if rest, ok := strings.CutPrefix(key, p.prefix); ok {
			return p.origin, rest
		}
	}
	return originUnknown, key
}

// Names that correct a type: a "Government Agency" that is a province's or
// a city's government is a subnational government; a "Private Sector" or
// "State-owned Company" that is a bank is a financial institution.
var (
	subnationalName = regexp.MustCompile(`(?i)\b(provincial|province|municipal|municipality|city|county|prefectural|prefecture|state|regional|district)\s+(people'?s\s+)?government\b|\bgovernment\s+of\s+[\w' .-]+\s+(province|municipality|city|prefecture|county)\b`)
	bankName        = regexp.MustCompile(`(?i)\bbank(ing)?\b`)
)

// agencyKind derives a partner kind from an agency's type and name.
func agencyKind(typ, name string) partner.Kind {
	_, base := splitType(typ)
	kind, ok := kindByType[base]
	if !ok {
		return partner.KindOTHER
	}
	switch {
	case kind == partner.KindGOVERNMENT_AGENCY && subnationalName.MatchString(name):
		return partner.KindSUBNATIONAL_GOVERNMENT
	case kind == partner.KindENTERPRISE && bankName.MatchString(name):
		return partner.KindFINANCIAL_INSTITUTION
	}
	return kind
}

// AgencyRefPrefix starts every agency's external reference.
const AgencyRefPrefix = "aiddata:agency:"

// agencyRef is the agency's external reference: its name normalized
// (lowercase, accents and punctuation dropped, words joined by "-"), so that
// spelling variants such as "Sdn Bhd" and "Sdn. Bhd." are one partner. ""
// when the name has no letter or digit.
func agencyRef(name string) string {
	key := strings.ReplaceAll(search.Normalize(name), " ", "-")
	if key == "" {
		return ""
	}
	const max = 200 - len(AgencyRefPrefix) // the schema's limit, in bytes
	for len(key) > max {
		_, size := utf8.DecodeLastRuneInString(key)
		key = key[:len(key)-size]
	}
	key = strings.TrimRight(key, "-")
	return AgencyRefPrefix + key
}

// AgencyColumns are the columns that name agencies, each with its "... Type"
// column (the types in the same order as the names) and the role its
// agencies take in the project. Their order ranks the mentions that name a
// partner (see plan.add): funding first, then co-financing, implementing,
// and the columns read since (receiving, guarantee, insurance, collateral),
// so that partners named by the first three keep the values they had.
var AgencyColumns = []struct {
	Names, Types string
	Role         projectparticipant.Role
}{
	{ColFunding, ColFundingType, projectparticipant.RoleFINANCIER},
	{ColCofinancing, ColCofinancingType, projectparticipant.RoleCO_FINANCIER},
	{ColImplementing, ColImplementingType, projectparticipant.RoleIMPLEMENTER},
	{ColDirectReceiving, ColDirectRecvType, projectparticipant.RoleRECEIVER},
	{ColIndirectRecv, ColIndirectRecvType, projectparticipant.RoleRECEIVER},
	{ColGuarantor, ColGuarantorType, projectparticipant.RoleGUARANTOR},
	{ColInsurer, ColInsurerType, projectparticipant.RoleINSURER},
	{ColCollateral, ColCollateralType, projectparticipant.RoleCOLLATERAL_PROVIDER},
	{ColSecurityAgent, ColSecurityType, projectparticipant.RoleSECURITY_AGENT},
}

// agency is one mention of an agency in a row.
type agency struct {
	ref    string
	name   string
	kind   partner.Kind
	home   *country // nil when the file does not say
	role   projectparticipant.Role
	rank   int // the column's position in AgencyColumns: lower wins
	line   int // the row's line: earlier wins among equal ranks
	typeOf string
}

// agenciesOf lists the agencies a row names, in column order: each mention,
// so an agency named in several columns comes once for each. Funding
// agencies are Chinese (GCDF is Chinese development finance, and their
// types have no origin prefix); the others are from China, the recipient
// or elsewhere as their type's prefix says.
func agenciesOf(r *row, recipient *country) []*agency {
	var out []*agency
	for rank, col := range AgencyColumns {
		funding := col.Names == ColFunding
		names, types := splitList(r.get(col.Names)), splitList(r.get(col.Types))
		for i, name := range names {
			ref := agencyRef(name)
			if ref == "" {
				continue
			}
			typ := ""
			if i < len(types) {
				typ = types[i]
			}
			a := &agency{ref: ref, name: truncate(name, 300), kind: agencyKind(typ, name), role: col.Role, rank: rank, line: r.line, typeOf: typ}
			o, _ := splitType(typ)
			switch {
			case funding || o == originChinese:
				a.home = china()
			case o == originRecipient:
				a.home = recipient
			}
			out = append(out, a)
		}
	}
	return out
}
