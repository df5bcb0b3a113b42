// Package importer loads AidData's Global Chinese Development Finance
// Dataset (GCDF 3.0, ODC-By 1.0: "AidData's Global Chinese Development
// Finance Dataset, Version 3.0", Custer et al., AidData at William & Mary,
// 2023) from its published CSV format into partners and projects.
//
// It reads columns by header name, maps each row to a project and the
// partners it names (docs/import.md has every mapping table), and writes
// them through internal/upsert in transactions of at most upsert.MaxBatch
// items, acting as the system actor "import:aiddata": the same rules,
// permissions and audit trail as the API apply, and importing the same file
// twice changes nothing. Rows that cannot be imported are reported with
// their line, column and reason, and skipped.
package importer
