package media_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"practica/internal/media"
)

// picture draws a w×h image with a gradient; alpha < 255 makes part of it
// transparent.
func picture(w, h int, alpha uint8) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if x < w/2 {
				a = alpha
			}
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(x), G: uint8(y), B: 128, A: a})
		}
	}
	return img
}

func encode(t *testing.T, img image.Image, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	case "gif":
		err = gif.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAvatarReencodes(t *testing.T) {
	cases := []struct {
		name     string
		data     []byte
		wantType string
		wantSide int
	}{
		{"opaque png, wide", encode(t, picture(600, 300, 255), "png"), "image/jpeg", media.AvatarSide},
		{"transparent png", encode(t, picture(300, 300, 0), "png"), "image/png", media.AvatarSide},
		{"jpeg, tall", encode(t, picture(200, 900, 255), "jpeg"), "image/jpeg", 200},
		{"gif", encode(t, picture(64, 64, 255), "gif"), "image/jpeg", 64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct, out, err := media.Avatar(c.data)
			if err != nil {
				t.Fatal(err)
			}
			if ct != c.wantType {
				t.Errorf("content type %q, want %q", ct, c.wantType)
			}
			cfg, format, err := image.DecodeConfig(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("the output does not decode: %v", err)
			}
			if "image/"+format != ct || cfg.Width != c.wantSide || cfg.Height != c.wantSide {
				t.Errorf("output %s %d×%d, want %s %d×%d", format, cfg.Width, cfg.Height, ct, c.wantSide, c.wantSide)
			}
		})
	}
}

// Bytes after the image (a polyglot: a picture that is also a page or a
// script) do not survive: the output is a new encoding of the pixels.
func TestAvatarDropsWhatIsNotPixels(t *testing.T) {
	payload := "<script>alert(1)</script><html>"
	data := append(encode(t, picture(64, 64, 255), "png"), payload...)
	_, out, err := media.Avatar(data)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("script")) || bytes.Contains(out, []byte("html")) {
		t.Error("the re-encoded picture still carries the bytes appended to the upload")
	}
}

// jpegHeader is the start of a JPEG declaring w×h pixels in a baseline
// (SOF0) or progressive (SOF2) frame, after an APP0 segment.
func jpegHeader(w, h uint16, progressive bool) []byte {
	sof := byte(0xc0)
	if progressive {
		sof = 0xc2
	}
	b := []byte{0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0}
	b = append(b, 0xff, sof, 0, 17, 8, byte(h>>8), byte(h), byte(w>>8), byte(w), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1)
	return b
}

// pngHeader is the start of a PNG whose header declares w×h pixels, with no
// pixel data: a decompression bomb claims huge dimensions in a few bytes.
func pngHeader(w, h uint32) []byte { return pngHeaderDepth(w, h, 8) }

func pngHeaderDepth(w, h uint32, depth byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = depth, 2 // RGB
	chunk := append([]byte("IHDR"), ihdr...)
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestAvatarRefuses(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"pixel flood (65,535²)", pngHeader(65535, 65535), "too many pixels"},
		{"over 12 megapixels", pngHeader(5000, 3000), "too many pixels"},
		{"over a side", pngHeader(9000, 100), "too many pixels"},
		{"16-bit PNG over 4 megapixels", pngHeaderDepth(3000, 2000, 16), "too many pixels"},
		{"8-bit PNG of 6 megapixels, truncated", pngHeader(3000, 2000), "Upload a PNG"},
		{"progressive JPEG over 4 megapixels", jpegHeader(3000, 2000, true), "too many pixels"},
		{"baseline JPEG of 6 megapixels, truncated", jpegHeader(3000, 2000, false), "Upload a PNG"},
		{"too small", encode(t, picture(8, 8, 255), "png"), "too small"},
		{"not a picture", []byte("<html><script>alert(1)</script></html>"), "Upload a PNG"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "Upload a PNG"},
		{"empty", nil, "Upload a PNG"},
		{"truncated png", encode(t, picture(300, 300, 255), "png")[:200], "Upload a PNG"},
		{"over 5 MB", make([]byte, media.MaxAvatarBytes+1), "larger than 5 MB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := media.Avatar(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %v, want one saying %q", err, c.want)
			}
		})
	}
}

func FuzzAvatar(f *testing.F) {
	f.Add(pngHeader(100, 100))
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ct, out, err := media.Avatar(data)
		if err != nil {
			return
		}
		if _, format, err := image.DecodeConfig(bytes.NewReader(out)); err != nil || "image/"+format != ct {
			t.Fatalf("accepted input gave %q that decodes as %q (%v)", ct, format, err)
		}
	})
}
