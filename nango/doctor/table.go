package doctor

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the report for people: one line per exchange (check,
// operation, target, status, conforms or the first violations, latency),
// then the era hints, skipped operations and problems, then a verdict.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "CHECK\tOPERATION\tTARGET\tSTATUS\tRESULT\tLATENCY\n")
	for _, row := range r.Rows {
		target := row.Target
		if row.Query != "" {
			target = strings.TrimSpace(target + " " + row.Query)
		}
		if target == "" {
			target = "-"
		}
		status := "-"
		if row.Status != 0 {
			status = fmt.Sprint(row.Status)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1fms\n", row.Check, row.Operation, target, status, outcome(row), row.LatencyMS)
		for i, v := range row.Violations {
			if i == 0 && len(row.Violations) == 1 && row.MoreViolations == 0 {
				break // already on the row's line
			}
			fmt.Fprintf(tw, "\t\t\t\t  %s\t\n", v)
		}
		if row.MoreViolations > 0 {
			fmt.Fprintf(tw, "\t\t\t\t  … and %d more\t\n", row.MoreViolations)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nserver %s; spec of Nango %s; nango-go %s; auth %s; routes %s\n", r.Host, r.SpecVersion, r.SDKVersion, orNone(r.Auth), r.Routes)
	if len(r.Hints) == 0 {
		b.WriteString("era: current (no option needed)\n")
	}
	for _, h := range r.Hints {
		fmt.Fprintf(&b, "era: %s; option: %s (%s)\n", h.Era, h.Option, h.Evidence)
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(&b, "skipped %s: %s\n", s.Operation, s.Reason)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "problem: %s\n", p)
	}
	if r.OK() {
		b.WriteString("OK: every answer conforms to the spec\n")
	} else {
		fmt.Fprintf(&b, "FAIL: %d of %d exchanges break the spec, %d got no answer, %d problems\n", r.failing(), r.counted(), r.unanswered(), len(r.Problems))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func outcome(row Row) string {
	switch {
	case row.Skipped != "":
		return "skipped: " + row.Skipped
	case row.Error != "":
		return "error: " + row.Error
	case row.Conforms && row.Note != "":
		return "conforms (" + row.Note + ")"
	case row.Conforms:
		return "conforms"
	case len(row.Violations) == 1 && row.MoreViolations == 0:
		return "VIOLATES " + row.Violations[0].String()
	default:
		return fmt.Sprintf("VIOLATES (%d)", len(row.Violations)+row.MoreViolations)
	}
}

func orNone(s string) string {
	if s == "" {
		return "refused"
	}
	return s
}

func (r *Report) counted() (n int) {
	for _, row := range r.Rows {
		if row.Skipped == "" {
			n++
		}
	}
	return n
}

// failing counts the answers that break the spec; an exchange that got no
// answer (the server unreachable) is not the spec's to judge.
func (r *Report) failing() (n int) {
	for _, row := range r.Rows {
		if row.Skipped == "" && !row.Conforms && row.Error == "" {
			n++
		}
	}
	return n
}

func (r *Report) unanswered() (n int) {
	for _, row := range r.Rows {
		if row.Skipped == "" && row.Error != "" {
			n++
		}
	}
	return n
}
