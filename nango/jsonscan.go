package nango

import (
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// jsonScan is the package's one hand-written JSON reader. It checks a JSON
// text by json.Valid's rules in one pass and lets its callers pick values
// out of it as it goes, so that a hot path reads its bytes once instead of
// once to validate and once more to decode. Two readers sit on top of it:
// scanConnection (GetToken: a connection body's id and credentials) and
// parseRecordsPage (GET /records: each record's bytes, id and metadata).
//
// Every method leaves i after what it read and returns an error (a
// decodeError, which quotes nothing of the input) on anything that is not
// JSON. Objects and arrays deeper than limit are refused.
type jsonScan struct {
	b     []byte
	i     int
	depth int
	limit int
}

func (s *jsonScan) fail(what string) error {
	return decodeErrorf("%s at byte %d", what, s.i)
}

func (s *jsonScan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte after whitespace, 0 at the end.
func (s *jsonScan) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// end reports whether only whitespace is left.
func (s *jsonScan) end() bool {
	s.ws()
	return s.i == len(s.b)
}

// plainString marks the bytes that stand for themselves inside a string.
var plainString = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads a string and returns its contents between the quotes, still
// escaped, and whether they hold an escape.
func (s *jsonScan) str() (raw []byte, escaped bool, err error) {
	if s.peek() != '"' {
		return nil, false, s.fail("want a string")
	}
	start := s.i + 1
	i := start
	for i < len(s.b) {
		c := s.b[i]
		if plainString[c] {
			i++
			continue
		}
		switch c {
		case '"':
			s.i = i + 1
			return s.b[start:i], escaped, nil
		case '\\':
			escaped = true
			if i+1 >= len(s.b) {
				s.i = i
				return nil, false, s.fail("unterminated string")
			}
			switch s.b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+5 >= len(s.b) || !isHex(s.b[i+2]) || !isHex(s.b[i+3]) || !isHex(s.b[i+4]) || !isHex(s.b[i+5]) {
					s.i = i
					return nil, false, s.fail("bad \\u escape")
				}
				i += 6
			default:
				s.i = i
				return nil, false, s.fail("bad escape")
			}
		default:
			s.i = i
			return nil, false, s.fail("control character in a string")
		}
	}
	s.i = i
	return nil, false, s.fail("unterminated string")
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// text returns a string's value, unescaped when it must be (and with
// invalid UTF-8 replaced by U+FFFD, as encoding/json does).
func (s *jsonScan) text(raw []byte, escaped bool) []byte {
	if !escaped && utf8.Valid(raw) {
		return raw
	}
	var v string
	// raw was checked by str: quoted again it is a valid JSON string.
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	_ = json.Unmarshal(q, &v)
	return []byte(v)
}

// number reads a JSON number and returns its text.
func (s *jsonScan) number() ([]byte, error) {
	start := s.i
	b := s.b
	i := s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		s.i = i
		return nil, s.fail("bad number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			s.i = i
			return nil, s.fail("bad number")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			s.i = i
			return nil, s.fail("bad number")
		}
	}
	s.i = i
	return b[start:i], nil
}

func (s *jsonScan) literal(word string) error {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return s.fail("bad literal")
	}
	s.i += len(word)
	return nil
}

// skip reads any value.
func (s *jsonScan) skip() error {
	switch s.peek() {
	case '{':
		return s.object(func([]byte, bool) error { return s.skip() })
	case '[':
		return s.array(s.skip)
	case '"':
		_, _, err := s.str()
		return err
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		if s.i >= len(s.b) {
			return s.fail("unexpected end of JSON")
		}
		_, err := s.number()
		return err
	}
}

// object reads an object, calling member with each key as str returns it
// (still escaped; s.text unescapes it) with the scanner before the
// member's value, which member must read.
func (s *jsonScan) object(member func(key []byte, escaped bool) error) error {
	if empty, err := s.open('{', "want an object"); empty || err != nil {
		return err
	}
	for {
		raw, esc, err := s.str()
		if err != nil {
			return err
		}
		if s.peek() != ':' {
			return s.fail("want ':'")
		}
		s.i++
		if err := member(raw, esc); err != nil {
			return err
		}
		if done, err := s.next('}', "want ',' or '}'"); done || err != nil {
			return err
		}
	}
}

// array reads an array, calling elem before each element, which elem must
// read.
func (s *jsonScan) array(elem func() error) error {
	if empty, err := s.open('[', "want an array"); empty || err != nil {
		return err
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if done, err := s.next(']', "want ',' or ']'"); done || err != nil {
			return err
		}
	}
}

// open reads the bracket that opens an object or array ('{' or '[') one
// level deeper, and reports whether the matching close follows at once
// (then it is read too and the level left).
func (s *jsonScan) open(bracket byte, want string) (empty bool, err error) {
	if s.peek() != bracket {
		return false, s.fail(want)
	}
	if s.depth++; s.depth > s.limit {
		return false, s.fail("nested too deep")
	}
	s.i++
	return s.next(bracket+2, "") // '{'+2 is '}', '['+2 is ']'
}

// next reads what follows a member or element: a ',' (done is false) or
// the closing bracket, which leaves the level (done is true). want names
// the error for anything else; an empty want means nothing else is read
// (open's check for an empty object or array).
func (s *jsonScan) next(closing byte, want string) (done bool, err error) {
	switch c := s.peek(); {
	case c == closing:
		s.i++
		s.depth--
		return true, nil
	case want == "":
		return false, nil
	case c == ',':
		s.i++
		return false, nil
	}
	return false, s.fail(want)
}

// A connection read for its token needs two members of the body: the
// connection id (present) and the credentials (decoded into their generated
// type). encoding/json reads the whole body twice to get them (once to check
// it, once to decode, stepping its scanner over every member it skips),
// which is most of GetToken's cost. scanConnection checks the body and finds
// the two members in one plain pass instead; encoding/json then decodes the
// credentials alone. Anything it does not handle plainly is left to
// encoding/json, which decides as it always has.

// scanMaxDepth bounds the nesting scanConnection follows; a deeper body goes
// to encoding/json (whose own limit is 10000).
const scanMaxDepth = 64

// errLeaveToJSON stops scanConnection on a valid body it leaves to
// encoding/json.
var errLeaveToJSON = errors.New("left to encoding/json")

// scanConnection checks that body is valid JSON (by json.Valid's rules) and
// returns the raw values of its top-level "connection_id" and "credentials"
// members (nil when absent). ok is false, and the caller must use
// encoding/json, when body is not valid JSON or not an object, nests deeper
// than scanMaxDepth, or has a top-level key that encoding/json could match
// to either member other than by its exact name (a key with escapes or
// non-ASCII bytes, or one that differs only in case), or either member twice,
// or when the credentials are an object with such a key for "type".
func scanConnection(body []byte) (connectionID, credentials []byte, ok bool) {
	s := jsonScan{b: body, limit: scanMaxDepth}
	if s.peek() != '{' {
		return nil, nil, false
	}
	err := s.object(func(key []byte, escaped bool) error {
		if !plainKey(key, escaped) {
			return errLeaveToJSON
		}
		s.ws()
		start := s.i
		switch {
		case string(key) == "connection_id":
			if connectionID != nil {
				return errLeaveToJSON
			}
			if err := s.skip(); err != nil {
				return err
			}
			connectionID = body[start:s.i]
		case string(key) == "credentials":
			if credentials != nil {
				return errLeaveToJSON
			}
			if err := s.credentials(); err != nil {
				return err
			}
			credentials = body[start:s.i]
		case foldsTo(key, "connection_id") || foldsTo(key, "credentials"):
			return errLeaveToJSON
		default:
			return s.skip()
		}
		return nil
	})
	if err != nil || !s.end() {
		return nil, nil, false
	}
	return connectionID, credentials, true
}

// credentials reads the credentials value; when it is an object, it refuses
// (with errLeaveToJSON) a key that encoding/json could read as "type"
// without its being exactly "type" (a key with escapes or non-ASCII bytes,
// or one that differs only in case): decodeCredentials reads the kind from
// the exact "type" key, where encoding/json would also take "TYPE".
func (s *jsonScan) credentials() error {
	if s.peek() != '{' {
		return s.skip()
	}
	return s.object(func(key []byte, escaped bool) error {
		if !plainKey(key, escaped) || string(key) != "type" && foldsTo(key, "type") {
			return errLeaveToJSON
		}
		return s.skip()
	})
}

// plainKey reports whether a key as str returned it is printable ASCII
// without escapes, so that encoding/json reads it as its bytes.
func plainKey(key []byte, escaped bool) bool {
	if escaped {
		return false
	}
	for _, c := range key {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// foldsTo reports whether the ASCII key equals name (ASCII, lower case)
// ignoring case.
func foldsTo(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}
