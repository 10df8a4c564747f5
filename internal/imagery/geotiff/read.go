package geotiff

import (
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/image/tiff"
)

// Info is what the first IFD says about an image.
type Info struct {
	Width, Height   int
	SamplesPerPixel int
	BitsPerSample   int
	SampleFormat    int // 1 unsigned integer, 2 signed, 3 IEEE float
	Compression     int // 1 none, 5 LZW, 8 deflate, 32773 PackBits...
	// DateTime is the TIFF DateTime tag (306) when present and valid:
	// when the file was made, which a processor may or may not have set
	// to the acquisition time.
	DateTime time.Time
	// NoData is GDAL's no-data value (tag 42113), NaN when absent.
	NoData float64
	// Geo places the image; nil when the file is not georeferenced or
	// uses a system this package does not convert, GeoErr says which.
	Geo    *Georef
	GeoErr error

	ifd *IFD
}

// ReadInfo reads and checks the first IFD of a TIFF of the given size. The
// image's dimensions are checked against lim before anything their size
// depends on is allocated; strip and tile extents are checked against the
// file, so a truncated file is reported here rather than half decoded.
func ReadInfo(r io.ReaderAt, size int64, lim Limits) (*Info, error) {
	lim = lim.withDefaults()
	d, err := ReadIFD(r, size, lim)
	if err != nil {
		return nil, err
	}
	in := &Info{ifd: d, NoData: math.NaN()}
	w, err := d.Uint(TagImageWidth, 0)
	if err != nil {
		return nil, err
	}
	h, err := d.Uint(TagImageLength, 0)
	if err != nil {
		return nil, err
	}
	if w == 0 || h == 0 {
		return nil, fmt.Errorf("%w: image of %d×%d pixels", ErrFormat, w, h)
	}
	if w > math.MaxInt32 || h > math.MaxInt32 || int64(w)*int64(h) > lim.MaxPixels {
		return nil, fmt.Errorf("%w: %d×%d pixels (limit %d)", ErrTooLarge, w, h, lim.MaxPixels)
	}
	in.Width, in.Height = int(w), int(h)
	spp, err := d.Uint(TagSamplesPerPixel, 1)
	if err != nil {
		return nil, err
	}
	if spp == 0 || spp > 64 {
		return nil, fmt.Errorf("%w: %d samples per pixel", ErrFormat, spp)
	}
	in.SamplesPerPixel = int(spp)
	bps, err := d.Uint(TagBitsPerSample, 1)
	if err != nil {
		return nil, err
	}
	in.BitsPerSample = int(bps)
	sf, err := d.Uint(TagSampleFormat, 1)
	if err != nil {
		return nil, err
	}
	in.SampleFormat = int(sf)
	c, err := d.Uint(TagCompression, 1)
	if err != nil {
		return nil, err
	}
	in.Compression = int(c)
	if err := in.checkBlocks(size); err != nil {
		return nil, err
	}
	if s, ok := d.ASCII(TagDateTime); ok {
		if t, err := time.Parse("2006:01:02 15:04:05", strings.TrimSpace(s)); err == nil {
			in.DateTime = t.UTC()
		}
	}
	if s, ok := d.ASCII(TagGDALNoData); ok {
		if v, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			in.NoData = v
		}
	}
	in.Geo, in.GeoErr = d.georef()
	if in.GeoErr != nil && !errors.Is(in.GeoErr, ErrNoGeoreference) && !errors.Is(in.GeoErr, ErrUnsupported) && !errors.Is(in.GeoErr, ErrFormat) {
		in.GeoErr = fmt.Errorf("%w: %v", ErrUnsupported, in.GeoErr)
	}
	return in, nil
}

// checkBlocks checks that the strips or tiles lie inside the file and, for
// uncompressed data, hold every pixel.
func (in *Info) checkBlocks(size int64) error {
	d := in.ifd
	offTag, cntTag := uint16(TagStripOffsets), uint16(TagStripByteCounts)
	if d.Has(TagTileOffsets) {
		offTag, cntTag = TagTileOffsets, TagTileByteCounts
	}
	offs, err := d.Uints(offTag)
	if err != nil {
		return err
	}
	cnts, err := d.Uints(cntTag)
	if err != nil {
		return err
	}
	if len(offs) != len(cnts) || len(offs) == 0 {
		return fmt.Errorf("%w: %d block offsets but %d byte counts", ErrFormat, len(offs), len(cnts))
	}
	var total uint64
	for i := range offs {
		if offs[i] > uint64(size) || cnts[i] > uint64(size)-offs[i] {
			return fmt.Errorf("%w: block %d at %d+%d runs past the end of the file (%d bytes): truncated?", ErrFormat, i, offs[i], cnts[i], size)
		}
		total += cnts[i]
	}
	if in.Compression == 1 && offTag == TagStripOffsets {
		need := uint64(in.Width) * uint64(in.Height) * uint64(in.SamplesPerPixel) * uint64(in.BitsPerSample) / 8
		if total < need {
			return fmt.Errorf("%w: strips hold %d bytes, the %d×%d image needs %d: truncated?", ErrFormat, total, in.Width, in.Height, need)
		}
	}
	return nil
}

// ReadFloat32 decodes a one-band image to float32 values, row by row.
// 8- and 16-bit unsigned images (any compression golang.org/x/image/tiff
// reads) and uncompressed 32-bit float strips are supported.
func (in *Info) ReadFloat32(r io.ReaderAt, size int64) ([]float32, error) {
	if in.SamplesPerPixel != 1 {
		return nil, fmt.Errorf("%w: %d bands, want one", ErrUnsupported, in.SamplesPerPixel)
	}
	switch {
	case in.SampleFormat == 3 && in.BitsPerSample == 32:
		return in.readFloatStrips(r)
	case in.SampleFormat == 1 && (in.BitsPerSample == 8 || in.BitsPerSample == 16):
	default:
		return nil, fmt.Errorf("%w: %d-bit samples of format %d", ErrUnsupported, in.BitsPerSample, in.SampleFormat)
	}
	img, err := tiff.Decode(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, fmt.Errorf("geotiff: decoding pixels: %w", err)
	}
	b := img.Bounds()
	if b.Dx() != in.Width || b.Dy() != in.Height {
		return nil, fmt.Errorf("%w: decoded %v, header says %d×%d", ErrFormat, b, in.Width, in.Height)
	}
	out := make([]float32, in.Width*in.Height)
	switch m := img.(type) {
	case *image.Gray16:
		for y := 0; y < in.Height; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+2*in.Width]
			o := out[y*in.Width : (y+1)*in.Width]
			for x := range o {
				o[x] = float32(uint16(row[2*x])<<8 | uint16(row[2*x+1]))
			}
		}
	case *image.Gray:
		for y := 0; y < in.Height; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+in.Width]
			o := out[y*in.Width : (y+1)*in.Width]
			for x := range o {
				o[x] = float32(row[x])
			}
		}
	default:
		return nil, fmt.Errorf("%w: decoded as %T, want a grey image", ErrUnsupported, img)
	}
	return out, nil
}

func (in *Info) readFloatStrips(r io.ReaderAt) ([]float32, error) {
	d := in.ifd
	if in.Compression != 1 || d.Has(TagTileOffsets) {
		return nil, fmt.Errorf("%w: float samples only uncompressed in strips (compression %d)", ErrUnsupported, in.Compression)
	}
	rps, err := d.Uint(TagRowsPerStrip, uint64(in.Height))
	if err != nil {
		return nil, err
	}
	if rps == 0 {
		return nil, fmt.Errorf("%w: RowsPerStrip 0", ErrFormat)
	}
	offs, _ := d.Uints(TagStripOffsets)
	cnts, _ := d.Uints(TagStripByteCounts)
	out := make([]float32, in.Width*in.Height)
	rowBytes := 4 * in.Width
	buf := make([]byte, rowBytes)
	for y := 0; y < in.Height; y++ {
		s := uint64(y) / rps
		if s >= uint64(len(offs)) {
			return nil, fmt.Errorf("%w: row %d is in strip %d of %d", ErrFormat, y, s, len(offs))
		}
		within := (uint64(y) - s*rps) * uint64(rowBytes)
		if within+uint64(rowBytes) > cnts[s] {
			return nil, fmt.Errorf("%w: strip %d holds %d bytes, row %d needs %d", ErrFormat, s, cnts[s], y, within+uint64(rowBytes))
		}
		if _, err := r.ReadAt(buf, int64(offs[s]+within)); err != nil {
			return nil, fmt.Errorf("geotiff: reading row %d: %w", y, err)
		}
		o := out[y*in.Width : (y+1)*in.Width]
		for x := range o {
			o[x] = math.Float32frombits(d.order.Uint32(buf[4*x:]))
		}
	}
	return out, nil
}

// ReadFile reads a one-band GeoTIFF's header and pixels.
func ReadFile(path string, lim Limits) (*Info, []float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	in, err := ReadInfo(f, st.Size(), lim)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	pix, err := in.ReadFloat32(f, st.Size())
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return in, pix, nil
}
