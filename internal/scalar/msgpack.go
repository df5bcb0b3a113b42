package scalar

import "github.com/vmihailenco/msgpack/v5"

// Pagination cursors carry the value of the order field, encoded with
// msgpack. Decimals and dates go in as their storage text, which both
// databases compare as the numbers and dates they are (PostgreSQL casts the
// text to the column's type; SQLite compares the sortable text).

// EncodeMsgpack encodes the decimal as its storage text.
func (d Decimal) EncodeMsgpack(enc *msgpack.Encoder) error {
	v, err := d.Value()
	if err != nil {
		return err
	}
	return enc.EncodeString(v.(string))
}

// EncodeMsgpack encodes the date as "YYYY-MM-DD".
func (d Date) EncodeMsgpack(enc *msgpack.Encoder) error {
	return enc.EncodeString(d.String())
}
