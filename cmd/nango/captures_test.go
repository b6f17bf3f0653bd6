package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// captured is one answer of a real Nango, from nango/testdata/real-nango.
type captured struct {
	status int
	ctype  string
	body   []byte
}

func loadAnswer(t *testing.T, name string) captured {
	t.Helper()
	b, err := os.ReadFile("../../nango/testdata/real-nango/" + name + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.Index(b, []byte("\n#--- notes")); i >= 0 {
		b = b[:i+1]
	}
	_, rest, _ := bytes.Cut(b, []byte("\n")) // the curl command
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(rest)))
	line, err := tp.ReadLine()
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(line)
	status, err := strconv.Atoi(f[1])
	if err != nil {
		t.Fatalf("%s: status line %q", name, line)
	}
	hdr, err := tp.ReadMIMEHeader()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(tp.R)
	return captured{status, hdr.Get("Content-Type"), bytes.TrimRight(body, "\n")}
}

// seen is what the server received of one request.
type seen struct {
	method, path, query, auth string
	body                      []byte
}

// replayServer answers each "METHOD /path" with the capture named for it,
// and 404 otherwise.
type replayServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func startReplay(t *testing.T, routes map[string]string) *replayServer {
	t.Helper()
	answers := map[string]captured{}
	for route, name := range routes {
		answers[route] = loadAnswer(t, name)
	}
	rs := &replayServer{}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rs.mu.Lock()
		rs.reqs = append(rs.reqs, seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Authorization"), body})
		rs.mu.Unlock()
		a, ok := answers[r.Method+" "+r.URL.EscapedPath()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if a.ctype != "" {
			w.Header().Set("Content-Type", a.ctype)
		}
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}))
	t.Cleanup(rs.Close)
	return rs
}

func (rs *replayServer) requests() []seen {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]seen(nil), rs.reqs...)
}

const cliTestKey = "11111111-1111-4111-8111-111111111111"

func (rs *replayServer) env() map[string]string {
	return map[string]string{"NANGO_HOST": rs.URL, "NANGO_SECRET_KEY": cliTestKey}
}
