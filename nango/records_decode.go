package nango

import (
	"encoding/json"
	"time"
	"unicode/utf8"
)

// A page of records is read in one pass over its bytes: the scanner below
// checks the whole page is JSON, finds each record's bytes, its id and its
// metadata, and leaves the record's own fields as bytes for Record.Decode.
// encoding/json would scan the page twice (validation, then decoding) and
// each record once more to split off the metadata; reading records is the
// data plane's hot path (a first read can be 10^6 records), so the SDK
// pays for exactly one pass besides the caller's own Decode.

// maxJSONDepth is the nesting encoding/json accepts.
const maxJSONDepth = 10000

// scanner walks JSON bytes. Every method leaves i after what it read and
// returns an error (a decodeError, which quotes nothing of the input) on
// anything that is not JSON.
type scanner struct {
	b     []byte
	i     int
	depth int
}

func (s *scanner) fail(what string) error {
	return decodeErrorf("%s at byte %d", what, s.i)
}

func (s *scanner) ws() {
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
func (s *scanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
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
func (s *scanner) str() (raw []byte, escaped bool, err error) {
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
func (s *scanner) text(raw []byte, escaped bool) []byte {
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
func (s *scanner) number() ([]byte, error) {
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

func (s *scanner) literal(word string) error {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return s.fail("bad literal")
	}
	s.i += len(word)
	return nil
}

// skip reads any value.
func (s *scanner) skip() error {
	switch s.peek() {
	case '{':
		return s.object(func([]byte) error { return s.skip() })
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
	case 0:
		return s.fail("unexpected end of JSON")
	default:
		_, err := s.number()
		return err
	}
}

// object reads an object, calling member with each key (unescaped) with
// the scanner before the member's value, which member must read.
func (s *scanner) object(member func(key []byte) error) error {
	if s.peek() != '{' {
		return s.fail("want an object")
	}
	if s.depth++; s.depth > maxJSONDepth {
		return s.fail("nested too deep")
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		s.depth--
		return nil
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
		if err := member(s.text(raw, esc)); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return nil
		default:
			return s.fail("want ',' or '}'")
		}
	}
}

// array reads an array, calling elem before each element, which elem must
// read.
func (s *scanner) array(elem func() error) error {
	if s.peek() != '[' {
		return s.fail("want an array")
	}
	if s.depth++; s.depth > maxJSONDepth {
		return s.fail("nested too deep")
	}
	s.i++
	if s.peek() == ']' {
		s.i++
		s.depth--
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return nil
		default:
			return s.fail("want ',' or ']'")
		}
	}
}

// decodeRecordsPage reads the body of GET /records; sizeHint is the page
// size asked for.
func decodeRecordsPage(r reply, sizeHint int) (*RecordsPage, error) {
	page, err := parseRecordsPage(r.body, sizeHint)
	if err != nil {
		return nil, r.malformed("records page", err)
	}
	return page, nil
}

// parseRecordsPage is decodeRecordsPage on bytes (the fuzz target).
func parseRecordsPage(body []byte, sizeHint int) (*RecordsPage, error) {
	s := &scanner{b: body}
	page := &RecordsPage{}
	sawRecords := false
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "next_cursor":
			if s.peek() == 'n' {
				page.NextCursor = ""
				return s.literal("null")
			}
			raw, esc, err := s.str()
			if err != nil {
				return decodeErrorf("next_cursor is not a string or null")
			}
			page.NextCursor = string(s.text(raw, esc))
			return nil
		case "records":
			sawRecords = true
			// A record takes more than 128 bytes (its metadata alone does).
			page.Records = make([]Record, 0, max(0, min(sizeHint, len(body)/128+1)))
			return s.array(func() error {
				rec, err := s.record(len(page.Records))
				if err != nil {
					return err
				}
				page.Records = append(page.Records, rec)
				return nil
			})
		}
		return s.skip()
	})
	if err != nil {
		return nil, err
	}
	if s.peek() != 0 {
		return nil, s.fail("data after the JSON object")
	}
	if !sawRecords {
		return nil, errMissing("records")
	}
	return page, nil
}

// record reads record number n of a page.
func (s *scanner) record(n int) (Record, error) {
	var rec Record
	if s.peek() != '{' {
		return rec, decodeErrorf("record %d is not a JSON object", n)
	}
	start := s.i
	var sawID, sawMeta bool
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "id":
			sawID = true
			switch c := s.peek(); {
			case c == '"':
				raw, esc, err := s.str()
				if err != nil {
					return err
				}
				rec.ID = string(s.text(raw, esc))
				return nil
			case c == '-' || c >= '0' && c <= '9':
				num, err := s.number()
				if err != nil {
					return err
				}
				rec.ID = string(num)
				return nil
			}
			return decodeErrorf("record %d: id is not a string or a number", n)
		case "_nango_metadata":
			sawMeta = true
			return s.metadata(n, &rec.Metadata)
		}
		return s.skip()
	})
	if err != nil {
		return rec, err
	}
	if !sawID || !sawMeta {
		return rec, decodeErrorf("record %d has no id or no _nango_metadata", n)
	}
	rec.Raw = s.b[start:s.i:s.i]
	return rec, nil
}

// metadata reads a record's _nango_metadata.
func (s *scanner) metadata(n int, m *RecordMetadata) error {
	if s.peek() != '{' {
		return decodeErrorf("record %d: _nango_metadata is not an object", n)
	}
	var seen int
	const firstSeen, lastModified, lastAction, cursor = 1, 2, 4, 8
	err := s.object(func(key []byte) error {
		// The key is compared as string(key), which does not allocate;
		// only an error names it.
		var slot *time.Time
		var nullable bool
		switch string(key) {
		case "first_seen_at":
			slot, seen = &m.FirstSeenAt, seen|firstSeen
		case "last_modified_at":
			slot, seen = &m.LastModifiedAt, seen|lastModified
		case "deleted_at", "pruned_at":
			nullable = true
		case "cursor":
			raw, esc, err := s.str()
			if err != nil {
				return decodeErrorf("record %d: _nango_metadata.cursor is not a string", n)
			}
			m.Cursor, seen = string(s.text(raw, esc)), seen|cursor
			return nil
		case "last_action":
			raw, esc, err := s.str()
			if err != nil {
				return decodeErrorf("record %d: _nango_metadata.last_action is not a string", n)
			}
			switch v := s.text(raw, esc); string(v) {
			case string(RecordAdded):
				m.LastAction = RecordAdded
			case string(RecordUpdated):
				m.LastAction = RecordUpdated
			case string(RecordDeleted):
				m.LastAction = RecordDeleted
			default:
				m.LastAction = RecordAction(v)
			}
			seen |= lastAction
			return nil
		default:
			return s.skip()
		}
		if s.peek() == 'n' {
			if !nullable {
				return decodeErrorf("record %d: _nango_metadata.%s is null", n, string(key))
			}
			return s.literal("null")
		}
		raw, esc, err := s.str()
		if err != nil {
			return decodeErrorf("record %d: _nango_metadata.%s is not a string", n, string(key))
		}
		var t time.Time
		if err := t.UnmarshalText(s.text(raw, esc)); err != nil {
			return decodeErrorf("record %d: _nango_metadata.%s is not an RFC 3339 time", n, string(key))
		}
		switch {
		case slot != nil:
			*slot = t
		case string(key) == "deleted_at":
			m.DeletedAt = new(t)
		default:
			m.PrunedAt = new(t)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if seen != firstSeen|lastModified|lastAction|cursor {
		return decodeErrorf("record %d: _nango_metadata lacks first_seen_at, last_modified_at, last_action or cursor", n)
	}
	return nil
}
