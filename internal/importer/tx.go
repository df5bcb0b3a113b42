package importer

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/rules"
	"github.com/bri-tracker/bri-tracker/internal/txretry"
)

// txAttempts bounds how often a batch runs when its transaction meets a
// serialization failure, a deadlock or a busy SQLite database.
const txAttempts = 4

// inTx runs fn in a transaction, as the API runs a mutation: the
// transaction is in the context for the rules that look for it. A batch
// whose transaction failed for a reason a new attempt may not meet runs
// again.
func inTx(ctx context.Context, client *ent.Client, fn func(context.Context, *ent.Client) error) error {
	for attempt := 1; ; attempt++ {
		err := once(ctx, client, fn)
		if err == nil || attempt == txAttempts || !txretry.Retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt) * 50 * time.Millisecond):
		}
	}
}

func once(ctx context.Context, client *ent.Client, fn func(context.Context, *ent.Client) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	// A context that can be cancelled costs database/sql and lib/pq two
	// goroutines per statement (to watch for the cancellation), a third of
	// the importer's CPU over tens of thousands of statements. A batch is
	// short, so it runs to its end and the import stops between batches.
	ctx = context.WithoutCancel(ctx)
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin a transaction: %w", err)
	}
	defer func() {
		if v := recover(); v != nil {
			_ = tx.Rollback()
			panic(v)
		}
	}()
	ctx = rules.WithTxMemo(ent.NewContext(ent.NewTxContext(ctx, tx), tx.Client()))
	if err := fn(ctx, tx.Client()); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		_ = tx.Rollback() // a commit hook refused: release the transaction's locks now
		return err
	}
	return nil
}

// itemField reads upsert's "input[3].completedOn" into 3 and "completedOn".
var itemField = regexp.MustCompile(`^input\[([0-9]+)\](?:\.(.*))?`)

// refusedItem finds the batch item a refusal concerns, and the column and
// reason to report. ok is false for errors that are not about one item.
func refusedItem(err error, n int) (i int, column, reason string, ok bool) {
	var field string
	if ae, isApp := apperr.As(err); isApp && ae.Code != apperr.InternalServerError {
		field, reason = ae.Field, ae.Message
	} else if ent.IsConstraintError(err) {
		field, reason, _ = strings.Cut(err.Error(), ": ")
	} else {
		return 0, "", "", false
	}
	m := itemField.FindStringSubmatch(field)
	if m == nil {
		return 0, "", "", false
	}
	i, _ = strconv.Atoi(m[1])
	if i >= n {
		return 0, "", "", false
	}
	root := m[2]
	if cut := strings.IndexAny(root, ".["); cut >= 0 {
		root = root[:cut]
	}
	return i, fieldColumns[root], reason, true
}
