package ais

// decodeApp decodes the known DAC/FI applications of types 6 and 8; nil
// when the application is unknown or the data too short for it.
func decodeApp(msgType int, dac uint16, fi uint8, b *Bits, off int) any {
	return nil
}
