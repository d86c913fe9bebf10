// Package media checks and re-encodes the pictures members upload.
//
// Nothing a member uploads is served as they sent it: the bytes are decoded
// as an image (the format is read from the content, never from a name or a
// declared type), bounded in size and pixels before any pixel is decoded,
// cropped and scaled, then encoded anew. What is served is an image this
// package wrote, with no metadata (location, camera) and no room for a
// polyglot file.
package media

import (
	"bytes"
	"errors"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"

	_ "golang.org/x/image/webp"
	_ "image/gif" // decoders, registered with image.Decode

	xdraw "golang.org/x/image/draw"
)

// Avatar limits. Decoding holds the whole picture in memory, at 4 bytes a
// pixel (a 12-megapixel phone photo is 48 MB); a progressive JPEG keeps
// its coefficients too and a 16-bit PNG takes 8 bytes a pixel, so those
// get a third of the pixels. One picture is decoded at a time.
const (
	MaxAvatarBytes  = 5 << 20    // an upload's size
	MaxAvatarPixels = 12_600_000 // width × height, checked before decoding
	maxHeavyPixels  = MaxAvatarPixels / 3
	MaxAvatarSide   = 8192 // either side
	AvatarSide      = 256  // the side of the square that is stored
	minAvatarSide   = 16
)

// decoding lets one picture be decoded at a time, whatever the number of
// uploads under way: the memory a decode takes is bounded once.
var decoding = make(chan struct{}, 1)

// ErrNotImage is what a file that is not a picture we take gives; its text
// is for the member.
var ErrNotImage = errors.New("Upload a PNG, JPEG, GIF or WebP picture.")

// Avatar turns an uploaded picture into the square one we store: the middle
// square of it, scaled to AvatarSide (smaller pictures are not enlarged),
// as a JPEG, or a PNG when it has transparent parts. It returns the
// content type and the bytes.
func Avatar(data []byte) (string, []byte, error) {
	if len(data) > MaxAvatarBytes {
		return "", nil, errors.New("The picture is larger than 5 MB.")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", nil, ErrNotImage
	}
	limit := MaxAvatarPixels
	if heavy(data, format) {
		limit = maxHeavyPixels
	}
	if cfg.Width > MaxAvatarSide || cfg.Height > MaxAvatarSide || cfg.Width*cfg.Height > limit {
		return "", nil, errors.New("The picture has too many pixels: use one of at most 12 megapixels (4 for a progressive JPEG or a 16-bit PNG).")
	}
	if cfg.Width < minAvatarSide || cfg.Height < minAvatarSide {
		return "", nil, errors.New("The picture is too small: use one at least 16 pixels wide and high.")
	}
	decoding <- struct{}{}
	src, _, err := image.Decode(bytes.NewReader(data))
	var dst *image.RGBA
	if err == nil {
		dst = square(src)
	}
	src = nil
	<-decoding
	if err != nil {
		return "", nil, ErrNotImage
	}
	var out bytes.Buffer
	if opaque(dst) {
		err = jpeg.Encode(&out, dst, &jpeg.Options{Quality: 85})
		return "image/jpeg", out.Bytes(), err
	}
	err = png.Encode(&out, dst)
	return "image/png", out.Bytes(), err
}

// heavy reports whether a picture costs more memory a pixel to decode: a
// progressive JPEG (a start-of-frame marker 0xFFC2 before the scan) or a
// 16-bit PNG (the bit depth in its header).
func heavy(data []byte, format string) bool {
	switch format {
	case "png":
		return len(data) > 24 && data[24] == 16
	case "jpeg":
		for i := 2; i+3 < len(data); {
			if data[i] != 0xff {
				return false
			}
			marker := data[i+1]
			switch {
			case marker == 0xc2:
				return true
			case marker == 0xda: // start of scan: no progressive frame before it
				return false
			case marker == 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker == 0x01:
				i += 2
				continue
			}
			i += 2 + (int(data[i+2])<<8 | int(data[i+3]))
		}
	}
	return false
}

// square crops the middle square of src and scales it down to AvatarSide.
func square(src image.Image) *image.RGBA {
	b := src.Bounds()
	side := min(b.Dx(), b.Dy())
	crop := image.Rect(0, 0, side, side).Add(b.Min).Add(image.Pt((b.Dx()-side)/2, (b.Dy()-side)/2))
	out := min(side, AvatarSide)
	dst := image.NewRGBA(image.Rect(0, 0, out, out))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Src, nil)
	return dst
}

// opaque reports whether every pixel of img is fully opaque.
func opaque(img *image.RGBA) bool {
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] != 0xff {
			return false
		}
	}
	return true
}
