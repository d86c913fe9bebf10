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

// Avatar limits.
const (
	MaxAvatarBytes  = 5 << 20    // an upload's size
	MaxAvatarPixels = 40_000_000 // width × height, checked before decoding
	MaxAvatarSide   = 10_000     // either side
	AvatarSide      = 256        // the side of the square that is stored
	minAvatarSide   = 16
)

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
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", nil, ErrNotImage
	}
	if cfg.Width > MaxAvatarSide || cfg.Height > MaxAvatarSide || cfg.Width*cfg.Height > MaxAvatarPixels {
		return "", nil, errors.New("The picture has too many pixels: keep it under 40 megapixels.")
	}
	if cfg.Width < minAvatarSide || cfg.Height < minAvatarSide {
		return "", nil, errors.New("The picture is too small: use one at least 16 pixels wide and high.")
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", nil, ErrNotImage
	}
	dst := square(src)
	var out bytes.Buffer
	if opaque(dst) {
		err = jpeg.Encode(&out, dst, &jpeg.Options{Quality: 85})
		return "image/jpeg", out.Bytes(), err
	}
	err = png.Encode(&out, dst)
	return "image/png", out.Bytes(), err
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
