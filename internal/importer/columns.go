package importer

// The AidData GCDF 3.0 columns the importer reads, by their exact published
// header names. The date headers say MM/DD/YYYY although some published
// extracts hold YYYY-MM-DD under them; both are read.
const (
	ColID               = "AidData Record ID"
	ColRecipient        = "Recipient"
	ColRecipientISO3    = "Recipient ISO-3"
	ColRecipientRegion  = "Recipient Region"
	ColCommitmentYear   = "Commitment Year"
	ColTitle            = "Title"
	ColDescription      = "Description"
	ColStatus           = "Status"
	ColSectorCode       = "Sector Code"
	ColSectorName       = "Sector Name"
	ColFunding          = "Funding Agencies"
	ColFundingType      = "Funding Agencies Type"
	ColCofinancing      = "Co-financing Agencies"
	ColCofinancingType  = "Co-financing Agencies Type"
	ColImplementing     = "Implementing Agencies"
	ColImplementingType = "Implementing Agencies Type"
	ColDirectReceiving  = "Direct Receiving Agencies"
	ColDirectRecvType   = "Direct Receiving Agencies Type"
	ColIndirectRecv     = "Indirect Receiving Agencies"
	ColIndirectRecvType = "Indirect Receiving Agencies Type"
	ColGuarantor        = "Guarantor"
	ColGuarantorType    = "Guarantor Agency Type"
	ColInsurer          = "Insurance Provider"
	ColInsurerType      = "Insurance Provider Agency Type"
	ColCollateral       = "Collateral Provider"
	ColCollateralType   = "Collateral Provider Agency Type"
	ColSecurityAgent    = "Security Agent/Collateral Agent"
	ColSecurityType     = "Security Agent/Collateral Agent Type"
	ColAggregates       = "Recommended For Aggregates"
	ColUmbrella         = "Umbrella"
	ColParentID         = "AidData Parent ID"
	ColFlowType         = "Flow Type"
	ColFlowClass        = "Flow Class"
	ColInterestRate     = "Interest Rate"
	ColMaturity         = "Maturity"
	ColGracePeriod      = "Grace Period"
	ColGrantElement     = "Grant Element (OECD Grant-Equiv)"
	ColAmount           = "Amount (Original Currency)"
	ColCurrency         = "Original Currency"
	ColAmountUSD        = "Amount (Constant USD 2021)"
	ColSignedOn         = "Commitment Date (MM/DD/YYYY)"
	ColStartedOn        = "Actual Implementation Start Date (MM/DD/YYYY)"
	ColCompletedOn      = "Actual Completion Date (MM/DD/YYYY)"
	ColSourceURLs       = "Source URLs"
)

// requiredColumns must be in the header: without them no row could be
// keyed or described, so a file lacking one is refused before any write.
var requiredColumns = []string{ColID, ColTitle, ColStatus, ColSectorName}

// fieldColumns names the CSV column behind each upsert field, so that a
// rule the database layer refuses is reported against the column to fix.
var fieldColumns = map[string]string{
	"externalRef":     ColID,
	"title":           ColTitle,
	"description":     ColDescription,
	"sector":          ColSectorName,
	"status":          ColStatus,
	"greenCategory":   ColSectorName,
	"amount":          ColAmount,
	"currency":        ColCurrency,
	"amountUsd":       ColAmountUSD,
	"commitmentYear":  ColCommitmentYear,
	"signedOn":        ColSignedOn,
	"startedOn":       ColStartedOn,
	"completedOn":     ColCompletedOn,
	"hostCountryCode": ColRecipientISO3,
	"participants":    ColFunding,

	"latitude":           ColRecipientISO3,
	"longitude":          ColRecipientISO3,
	"locationPrecision":  ColRecipientISO3,
	"countsInAggregates": ColAggregates,
	"umbrella":           ColUmbrella,
	"parentRef":          ColParentID,
	"groupRef":           ColParentID,
	"flowType":           ColFlowType,
	"flowClass":          ColFlowClass,
	"interestRate":       ColInterestRate,
	"maturityYears":      ColMaturity,
	"gracePeriodYears":   ColGracePeriod,
	"grantElement":       ColGrantElement,
}
