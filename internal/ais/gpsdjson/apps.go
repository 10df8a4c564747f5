package gpsdjson

// app renders a decoded DAC/FI application; false when there is none.
func (w *writer) app(app any) bool {
	return false
}
