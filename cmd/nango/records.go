package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/nango-go/sdk/nango"
)

var argModel = argument{"<model>", "the model a sync stores (e.g. Issue)"}

type recordsFlags struct {
	all           bool
	modifiedAfter string
	cursor        string
	filter        string
	variant       string
	limit         optionalInt
	asJSON        bool
}

func (f *recordsFlags) register(cmd *command) {
	fs := cmd.flags
	fs.BoolVar(&f.all, "all", false, "every page, not only the first")
	fs.StringVar(&f.modifiedAfter, "modified-after", "", "only records changed at or after this `time` (RFC 3339, within the last 12 months)")
	fs.StringVar(&f.cursor, "cursor", "", "start after this `cursor` (a next cursor, or a record's _nango_metadata.cursor)")
	fs.StringVar(&f.filter, "filter", "", "only records whose last change is one of these `kinds`: added, updated, deleted (comma-separated)")
	fs.StringVar(&f.variant, "variant", "", "the sync `variant` whose records to read (default: the sync itself)")
	fs.Var(&f.limit, "limit", "page `size`, 1 to 10000 (default 100; 1000 with --all)")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON lines even on a terminal")
}

// options turns the flags into the SDK's options, refusing locally what
// would be a usage error.
func (f *recordsFlags) options() ([]nango.RecordsOption, error) {
	var out []nango.RecordsOption
	if f.modifiedAfter != "" {
		t, err := time.Parse(time.RFC3339Nano, f.modifiedAfter)
		if err != nil {
			return nil, fmt.Errorf("--modified-after %q: want an RFC 3339 time, such as 2026-12-01T00:00:00Z", f.modifiedAfter)
		}
		out = append(out, nango.ModifiedAfter(t))
	}
	if f.cursor != "" {
		out = append(out, nango.Cursor(f.cursor))
	}
	if f.filter != "" {
		var kinds []nango.RecordAction
		for _, k := range strings.Split(f.filter, ",") {
			a := nango.RecordAction(strings.ToUpper(strings.TrimSpace(k)))
			if !a.Valid() {
				return nil, fmt.Errorf("--filter: %q is not added, updated or deleted", k)
			}
			kinds = append(kinds, a)
		}
		out = append(out, nango.FilterLastAction(kinds...))
	}
	if f.variant != "" {
		out = append(out, nango.Variant(f.variant))
	}
	if f.limit.set {
		if f.limit.n < 1 || f.limit.n > 10000 {
			return nil, fmt.Errorf("--limit %d: Nango's pages hold 1 to 10000 records", f.limit.n)
		}
		out = append(out, nango.PageSize(f.limit.n))
	}
	return out, nil
}

func recordsCommand(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cmd := newCommand("records", "list the records a sync stored", argKey, argID, argModel)
	cmd.about = `Prints the records of a model of a connection, in the order of their last
change: a table on a terminal, JSON lines otherwise (or with --json), each line
a record as Nango sent it (its fields, "id" and "_nango_metadata"). Deleted
records are listed too, without their fields. Without --all, one page; the
cursor of the next one goes to stderr (or under the table).

` + clientEnv
	cmd.example = "  nango records github user-1 Issue --filter added,updated --all | jq .title"
	var f recordsFlags
	var common commonFlags
	f.register(cmd)
	common.register(cmd.flags, getenv)
	pos, err := cmd.parse(args, stdout)
	if err != nil {
		return err
	}
	opts, err := f.options()
	if err != nil {
		return cmd.usageError(err.Error())
	}
	c, err := common.client(getenv, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, common.timeout)
	defer cancel()
	key, id, model := pos[0], pos[1], pos[2]

	out := recordsWriter(stdout, f.asJSON || !isTerminal(stdout))
	if f.all {
		for rec, err := range c.AllRecords(ctx, key, id, model, opts...) {
			if err != nil {
				out.flush()
				return err
			}
			if err := out.write(rec); err != nil {
				return err
			}
		}
		out.flush()
		return nil
	}
	page, err := c.ListRecords(ctx, key, id, model, opts...)
	if err != nil {
		return err
	}
	for _, rec := range page.Records {
		if err := out.write(rec); err != nil {
			return err
		}
	}
	out.flush()
	if page.NextCursor != "" {
		w := stderr
		if out.table != nil {
			w = stdout
		}
		fmt.Fprintf(w, "more records: --cursor %s (or --all)\n", page.NextCursor)
	}
	return nil
}

// recordsOut prints records as JSON lines, or as a table.
type recordsOut struct {
	w     io.Writer
	table *tabwriter.Writer
	rows  int
}

func recordsWriter(w io.Writer, jsonLines bool) *recordsOut {
	o := &recordsOut{w: w}
	if !jsonLines {
		o.table = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(o.table, "ID\tLAST ACTION\tLAST MODIFIED\tFIELDS")
	}
	return o
}

func (o *recordsOut) write(rec nango.Record) error {
	if o.table == nil {
		_, err := fmt.Fprintf(o.w, "%s\n", rec.Raw)
		return err
	}
	fmt.Fprintf(o.table, "%s\t%s\t%s\t%s\n", rec.ID, rec.Metadata.LastAction,
		rec.Metadata.LastModifiedAt.UTC().Format(time.RFC3339Nano), fieldsPreview(rec))
	// A table of many pages is printed as it comes, a thousand rows at a
	// time, not held whole.
	if o.rows++; o.rows%1000 == 0 {
		return o.table.Flush()
	}
	return nil
}

func (o *recordsOut) flush() {
	if o.table != nil {
		_ = o.table.Flush()
	}
}

// fieldsPreview is the record's own fields as compact JSON, cut to fit a
// table cell.
func fieldsPreview(rec nango.Record) string {
	var fields map[string]json.RawMessage
	if err := rec.Decode(&fields); err != nil {
		var ue *nango.UnexpectedResponseError
		if errors.As(err, &ue) {
			return "(not an object)"
		}
		return ""
	}
	delete(fields, "id")
	delete(fields, "_nango_metadata")
	if len(fields) == 0 {
		return "-"
	}
	b, _ := json.Marshal(fields)
	s := string(b)
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:59]) + "…"
	}
	return strings.ReplaceAll(s, "\t", " ")
}
