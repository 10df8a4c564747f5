package ais

import "errors"

// errNotImplemented is temporary until the encoder lands.
var errNotImplemented = errors.New("ais: encoder not implemented")

// EncodeBits packs a message into payload bits, the inverse of DecodeBits.
func EncodeBits(m Message) (*Bits, error) { return nil, errNotImplemented }

// Armour returns the armoured 6-bit payload text and the fill-bit count.
func (b *Bits) Armour() (payload string, fill int) { return "", 0 }

// EncodeSentences frames a message as one or more !AIVDM sentences (with
// checksums), splitting payloads longer than one sentence allows. seq is the
// sequential message id used when more than one sentence is needed.
func EncodeSentences(m Message, channel byte, seq int) ([]string, error) {
	return nil, errNotImplemented
}
