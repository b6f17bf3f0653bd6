package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/nango-go/sdk/nango"
	"golang.org/x/term"
)

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printTable(w io.Writer, conns []nango.ConnectionSummary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tINTEGRATION\tCONNECTION ID\tPROVIDER\tCREATED")
	for _, c := range conns {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", c.ID, c.ProviderConfigKey, c.ConnectionID, c.Provider, c.Created.UTC().Format(time.RFC3339))
	}
	tw.Flush()
}

// isTerminal reports whether w is a terminal, where a table reads better
// than JSON. A file mode check would also take /dev/null for one.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
