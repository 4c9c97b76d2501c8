// Package secret seals real phone numbers for storage and derives the blind
// index used to find them: AES-256-GCM with the key id stored beside each
// ciphertext (so keys can be rotated while old rows stay readable), and an
// HMAC-SHA256 index that is equal for equal numbers but reveals nothing
// without the index key.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrUnknownKey means a sealed value names a key id the keyring lacks.
var ErrUnknownKey = errors.New("unknown key id")

// ErrCorrupt means a sealed value is malformed or failed authentication.
var ErrCorrupt = errors.New("sealed value corrupt")

// Keyring holds the data keys (by id), the id used for new values and the
// blind-index key. It is safe for concurrent use once built.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
	index   []byte
}

// File is the JSON form of a key file: base64 keys of 32 bytes each.
type File struct {
	Current string            `json:"current"`
	Keys    map[string]string `json:"keys"`
	Index   string            `json:"index"`
}

// New builds a keyring from a key file's contents.
func New(f File) (*Keyring, error) {
	if f.Current == "" || len(f.Keys) == 0 {
		return nil, errors.New("keyring: no current key")
	}
	k := &Keyring{current: f.Current, aeads: make(map[string]cipher.AEAD)}
	for id, enc := range f.Keys {
		if id == "" || strings.Contains(id, ":") {
			return nil, fmt.Errorf("keyring: bad key id %q", id)
		}
		raw, err := decodeKey(enc)
		if err != nil {
			return nil, fmt.Errorf("keyring: key %q: %w", id, err)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, fmt.Errorf("keyring: key %q: %w", id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("keyring: key %q: %w", id, err)
		}
		k.aeads[id] = aead
	}
	if _, ok := k.aeads[f.Current]; !ok {
		return nil, fmt.Errorf("keyring: current key %q not in keys", f.Current)
	}
	idx, err := decodeKey(f.Index)
	if err != nil {
		return nil, fmt.Errorf("keyring: index key: %w", err)
	}
	k.index = idx
	return k, nil
}

func decodeKey(enc string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, errors.New("not base64")
	}
	if len(raw) != 32 {
		return nil, fmt.Errorf("want 32 bytes, have %d", len(raw))
	}
	return raw, nil
}

// Generate returns a key file with one fresh data key and index key.
func Generate() File {
	return File{
		Current: "k1",
		Keys:    map[string]string{"k1": randomKey()},
		Index:   randomKey(),
	}
}

func randomKey() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Load reads the key file at path. When the file does not exist and create
// is true, a new one is written with mode 0600 and created is true.
func Load(path string, create bool) (k *Keyring, created bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && create {
		f := Generate()
		if err := write(path, f); err != nil {
			return nil, false, err
		}
		k, err := New(f)
		return k, true, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("read key file: %w", err)
	}

	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, false, fmt.Errorf("parse key file %s: %w", path, err)
	}
	k, err = New(f)
	return k, false, err
}

func write(path string, f File) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create key dir: %w", err)
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	if _, err := fh.Write(append(data, '\n')); err != nil {
		fh.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	return fh.Close()
}

// Seal encrypts plain with the current key and returns "id:base64" where the
// base64 holds the nonce followed by the ciphertext and tag. An empty input
// seals to an empty string, so optional numbers stay empty.
func (k *Keyring) Seal(plain string) string {
	if plain == "" {
		return ""
	}
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	out := aead.Seal(nonce, nonce, []byte(plain), []byte(k.current))
	return k.current + ":" + base64.RawStdEncoding.EncodeToString(out)
}

// Open decrypts a value made by Seal with any key of the ring.
func (k *Keyring) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	id, body, ok := strings.Cut(sealed, ":")
	if !ok {
		return "", ErrCorrupt
	}
	aead, found := k.aeads[id]
	if !found {
		return "", fmt.Errorf("%w %q", ErrUnknownKey, id)
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return "", ErrCorrupt
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(id))
	if err != nil {
		return "", ErrCorrupt
	}
	return string(plain), nil
}

// Index returns the blind index of plain: the first 16 bytes of
// HMAC-SHA256(index key, plain), hex encoded. Empty input gives "".
func (k *Keyring) Index(plain string) string {
	if plain == "" {
		return ""
	}
	mac := hmac.New(sha256.New, k.index)
	mac.Write([]byte(plain))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}
