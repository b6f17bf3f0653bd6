package nango

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

// scanConnection checks that body is valid JSON (by json.Valid's rules) and
// returns the raw values of its top-level "connection_id" and "credentials"
// members (nil when absent). ok is false, and the caller must use
// encoding/json, when body is not valid JSON or not an object, nests deeper
// than scanMaxDepth, or has a top-level key that encoding/json could match
// to either member other than by its exact name (a key with escapes or
// non-ASCII bytes, or one that differs only in case), or either member twice,
// or when the credentials are an object with such a key for "type".
func scanConnection(body []byte) (connectionID, credentials []byte, ok bool) {
	s := jsonScan{b: body}
	s.ws()
	if !s.eat('{') {
		return nil, nil, false
	}
	s.ws()
	if !s.eat('}') {
		for {
			s.ws()
			start := s.i
			plain, valid := s.str()
			if !valid {
				return nil, nil, false
			}
			key := body[start+1 : s.i-1]
			s.ws()
			if !s.eat(':') {
				return nil, nil, false
			}
			s.ws()
			vstart := s.i
			if plain && string(key) == "credentials" && s.i < len(body) && body[s.i] == '{' {
				// decodeCredentials reads the kind from the exact "type"
				// key, where encoding/json would also take "TYPE": leave
				// such an object to it.
				if !s.credentials() {
					return nil, nil, false
				}
			} else if !s.value(1) {
				return nil, nil, false
			}
			val := body[vstart:s.i]
			switch {
			case !plain:
				return nil, nil, false
			case string(key) == "connection_id":
				if connectionID != nil {
					return nil, nil, false
				}
				connectionID = val
			case string(key) == "credentials":
				if credentials != nil {
					return nil, nil, false
				}
				credentials = val
			case foldsTo(key, "connection_id") || foldsTo(key, "credentials"):
				return nil, nil, false
			}
			s.ws()
			if s.eat('}') {
				break
			}
			if !s.eat(',') {
				return nil, nil, false
			}
		}
	}
	s.ws()
	if s.i != len(body) {
		return nil, nil, false
	}
	return connectionID, credentials, true
}

// credentials checks the credentials object at s.i as value does, and
// reports false as well when one of its keys could be read as "type" by
// encoding/json without being exactly "type" (a key with escapes or
// non-ASCII bytes, or one that differs only in case).
func (s *jsonScan) credentials() bool {
	s.i++ // '{'
	s.ws()
	if s.eat('}') {
		return true
	}
	for {
		s.ws()
		start := s.i
		plain, ok := s.str()
		if !ok {
			return false
		}
		if key := s.b[start+1 : s.i-1]; !plain || string(key) != "type" && foldsTo(key, "type") {
			return false
		}
		s.ws()
		if !s.eat(':') {
			return false
		}
		s.ws()
		if !s.value(2) {
			return false
		}
		s.ws()
		if s.eat('}') {
			return true
		}
		if !s.eat(',') {
			return false
		}
	}
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

// jsonScan walks a JSON text, checking it as it goes.
type jsonScan struct {
	b []byte
	i int
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

func (s *jsonScan) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// value checks one value starting at s.i (no leading space) and moves past
// it; depth is the nesting of the value.
func (s *jsonScan) value(depth int) bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, ok := s.str()
		return ok
	case c == '{':
		if depth >= scanMaxDepth {
			return false
		}
		s.i++
		s.ws()
		if s.eat('}') {
			return true
		}
		for {
			s.ws()
			if _, ok := s.str(); !ok {
				return false
			}
			s.ws()
			if !s.eat(':') {
				return false
			}
			s.ws()
			if !s.value(depth + 1) {
				return false
			}
			s.ws()
			if s.eat('}') {
				return true
			}
			if !s.eat(',') {
				return false
			}
		}
	case c == '[':
		if depth >= scanMaxDepth {
			return false
		}
		s.i++
		s.ws()
		if s.eat(']') {
			return true
		}
		for {
			s.ws()
			if !s.value(depth + 1) {
				return false
			}
			s.ws()
			if s.eat(']') {
				return true
			}
			if !s.eat(',') {
				return false
			}
		}
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return false
}

func (s *jsonScan) lit(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// str checks a string starting at s.i and moves past it; plain reports a
// string of printable ASCII without escapes.
func (s *jsonScan) str() (plain, ok bool) {
	if !s.eat('"') {
		return false, false
	}
	plain = true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return plain, true
		case c == '\\':
			plain = false
			s.i++
			if s.i >= len(s.b) {
				return false, false
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				if len(s.b)-s.i < 5 {
					return false, false
				}
				for _, h := range s.b[s.i+1 : s.i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false, false
					}
				}
				s.i += 5
			default:
				return false, false
			}
		case c < 0x20:
			return false, false
		default:
			if c >= 0x80 {
				plain = false
			}
			s.i++
		}
	}
	return false, false
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at s.i.
func (s *jsonScan) number() bool {
	s.eat('-')
	switch {
	case s.eat('0'):
	case s.i < len(s.b) && '1' <= s.b[s.i] && s.b[s.i] <= '9':
		s.digits()
	default:
		return false
	}
	if s.eat('.') && !s.digits() {
		return false
	}
	if s.eat('e') || s.eat('E') {
		if !s.eat('+') {
			s.eat('-')
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// digits moves past [0-9]* and reports whether there was one.
func (s *jsonScan) digits() bool {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}
