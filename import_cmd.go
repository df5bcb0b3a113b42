package main

import (
	"context"
	"errors"
	"io"
)

// runImport loads a dataset: `bri-tracker import aiddata FILE.csv`.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("import: not built yet")
}

// runExport writes projects out: `bri-tracker export projects --format csv|json`.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	return errors.New("export: not built yet")
}
