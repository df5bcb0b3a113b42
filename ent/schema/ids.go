package schema

// Each entity numbers its rows from its own start, 2^32 apart, so that an id
// alone tells which table holds it. The API's opaque global ids build on this
// (internal/globalid); keep the two in step.
const (
	partnerIDStart            = 1 << 32
	projectIDStart            = 2 << 32
	policyIDStart             = 3 << 32
	projectParticipantIDStart = 4 << 32
	apiKeyIDStart             = 5 << 32
	auditEventIDStart         = 6 << 32
	idempotencyRecordIDStart  = 7 << 32
	webhookIDStart            = 8 << 32
	webhookDeliveryIDStart    = 9 << 32
)
