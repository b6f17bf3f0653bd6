package nango

import "time"

// A page of records is read in one pass over its bytes: jsonScan checks
// the whole page is JSON while the code below finds each record's bytes,
// its id and its metadata, and leaves the record's own fields as bytes for
// Record.Decode. encoding/json would scan the page twice (validation, then
// decoding) and each record once more to split off the metadata; reading
// records is the data plane's hot path (a first read can be 10^6 records),
// so the SDK pays for exactly one pass besides the caller's own Decode.

// maxJSONDepth is the nesting encoding/json accepts.
const maxJSONDepth = 10000

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
	s := &jsonScan{b: body, limit: maxJSONDepth}
	page := &RecordsPage{}
	sawRecords := false
	err := s.object(func(raw []byte, escaped bool) error {
		switch string(s.text(raw, escaped)) {
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
				rec, err := scanRecord(s, len(page.Records))
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
	if !s.end() {
		return nil, s.fail("data after the JSON object")
	}
	if !sawRecords {
		return nil, errMissing("records")
	}
	return page, nil
}

// scanRecord reads record number n of a page.
func scanRecord(s *jsonScan, n int) (Record, error) {
	var rec Record
	if s.peek() != '{' {
		return rec, decodeErrorf("record %d is not a JSON object", n)
	}
	start := s.i
	var sawID, sawMeta bool
	err := s.object(func(raw []byte, escaped bool) error {
		switch string(s.text(raw, escaped)) {
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
			return scanMetadata(s, n, &rec.Metadata)
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

// scanMetadata reads a record's _nango_metadata.
func scanMetadata(s *jsonScan, n int, m *RecordMetadata) error {
	if s.peek() != '{' {
		return decodeErrorf("record %d: _nango_metadata is not an object", n)
	}
	var seen int
	const firstSeen, lastModified, lastAction, cursor = 1, 2, 4, 8
	err := s.object(func(rawKey []byte, escaped bool) error {
		key := s.text(rawKey, escaped)
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
