package contract

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Capture is one recorded exchange with a real Nango server: the curl
// command that made it and the raw response.
type Capture struct {
	Name string
	// Request, rebuilt from the curl command, against http://127.0.0.1:3003.
	Method string
	URL    string // as curl was given it, escaping untouched
	Header http.Header
	Body   []byte
	// BodyFile is the file curl read the body from (-d @name), in the
	// captures' directory; LoadCaptures reads it into Body.
	BodyFile string
	User     string // curl -u
	Status   int
	RespHdr  http.Header
	Resp     []byte
}

// LoadCaptures reads every *.txt capture in dir, sorted by name.
func LoadCaptures(dir string) ([]Capture, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Capture
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		c, err := ParseCapture(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(f), err)
		}
		c.Name = strings.TrimSuffix(filepath.Base(f), ".txt")
		if c.BodyFile != "" {
			// 648's big-input.json was rebuilt from its answer, which echoes
			// the input, to the byte count its notes give.
			if c.Body, err = os.ReadFile(filepath.Join(dir, c.BodyFile)); err != nil {
				return nil, fmt.Errorf("%s: the body curl read from a file: %w", c.Name, err)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// ParseCapture reads one capture: the curl command line, then the response.
func ParseCapture(b []byte) (Capture, error) {
	c := Capture{Method: http.MethodGet, Header: http.Header{}}
	// A trailing "#--- notes" section says what else happened (what the
	// proxy's upstream received, …); it is not part of the response.
	if i := bytes.Index(b, []byte("\n#--- notes")); i >= 0 {
		b = b[:i+1]
	}
	line, rest, _ := bytes.Cut(b, []byte("\n"))
	args, err := shellWords(string(line))
	if err != nil {
		return c, err
	}
	if len(args) == 0 || args[0] != "curl" {
		return c, fmt.Errorf("first line is not a curl command")
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		next := func() string {
			i++
			if i < len(args) {
				return args[i]
			}
			return ""
		}
		switch a {
		case "-i":
		case "-X":
			c.Method = next()
		case "-H":
			k, v, _ := strings.Cut(next(), ":")
			c.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		case "-d":
			c.Body = []byte(next())
			if name, ok := strings.CutPrefix(string(c.Body), "@"); ok {
				c.Body, c.BodyFile = nil, filepath.Base(name)
			}
			if c.Method == http.MethodGet {
				c.Method = http.MethodPost
			}
		case "-u":
			c.User = next()
		default:
			if strings.HasPrefix(a, "http") {
				c.URL = a
			} else {
				return c, fmt.Errorf("unknown curl argument %q", a)
			}
		}
	}
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(rest)))
	status, err := tp.ReadLine()
	if err != nil {
		return c, err
	}
	f := strings.Fields(status)
	if len(f) < 2 {
		return c, fmt.Errorf("bad status line %q", status)
	}
	if c.Status, err = strconv.Atoi(f[1]); err != nil {
		return c, fmt.Errorf("bad status line %q", status)
	}
	mh, err := tp.ReadMIMEHeader()
	if err != nil {
		return c, err
	}
	c.RespHdr = http.Header(mh)
	var body bytes.Buffer
	_, _ = body.ReadFrom(tp.R)
	c.Resp = bytes.TrimRight(body.Bytes(), "\n")
	return c, nil
}

// Request builds the captured request against base (e.g. a test server's
// URL), with key in place of the <SECRET-KEY> placeholders.
func (c Capture) Request(base, key, otherEnvKey string) (*http.Request, error) {
	u := strings.Replace(c.URL, "http://127.0.0.1:3003", strings.TrimSuffix(base, "/"), 1)
	req, err := http.NewRequest(c.Method, u, bytes.NewReader(c.Body))
	if err != nil {
		return nil, err
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			v = strings.ReplaceAll(v, "<SECRET-KEY-PROD-ENV>", otherEnvKey)
			v = strings.ReplaceAll(v, "<SECRET-KEY>", key)
			v = strings.ReplaceAll(v, "<BASE64(SECRET-KEY:)>", basic(key))
			req.Header.Add(k, v)
		}
	}
	if c.User != "" {
		user, pass, _ := strings.Cut(strings.ReplaceAll(c.User, "<SECRET-KEY>", key), ":")
		req.SetBasicAuth(user, pass)
	}
	return req, nil
}

func basic(key string) string {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(key, "")
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

// shellWords splits a command line the way sh would for the quoting curl
// commands use: single quotes, double quotes and backslashes.
func shellWords(s string) ([]string, error) {
	var (
		out   []string
		cur   strings.Builder
		in    bool
		quote rune
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			if r == '"' {
				quote = 0
			} else if r == '\\' && i+1 < len(rs) {
				i++
				cur.WriteRune(rs[i])
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == '\\' && i+1 < len(rs):
			i++
			cur.WriteRune(rs[i])
			in = true
		case r == ' ' || r == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}
