package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// field is one settable key of Config: its dotted yaml path and where it
// sits in the struct. The file decoder, the environment overrides and the
// tests all walk the same list, so a key added to the struct is at once
// readable from both sources and checked for documentation.
type field struct {
	Path  string
	Index []int
	Type  reflect.Type
}

// EnvName is the environment variable that overrides the field.
func (f field) EnvName() string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(f.Path, ".", "_"))
}

// EnvPrefix starts the name of every environment override.
const EnvPrefix = "BROKER_"

var durationType = reflect.TypeOf(time.Duration(0))

// fields lists the leaf keys of Config in declaration order.
func fields() []field {
	return walk(reflect.TypeOf(Config{}), "", nil)
}

func walk(t reflect.Type, prefix string, index []int) []field {
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		name := yamlName(sf)
		if name == "" {
			continue
		}

		path := prefix + name
		idx := append(append([]int(nil), index...), i)
		if sf.Type.Kind() == reflect.Struct {
			out = append(out, walk(sf.Type, path+".", idx)...)
			continue
		}
		out = append(out, field{Path: path, Index: idx, Type: sf.Type})
	}
	return out
}

// yamlName is the key of a struct field, or "" when the field is not part
// of the file.
func yamlName(sf reflect.StructField) string {
	if !sf.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// errEmpty reports an empty value for a key that has no empty meaning.
var errEmpty = errors.New("empty value")

// setText parses s as the field's type and stores it in v. Lists are
// comma-separated, durations are Go duration strings ("90s", "24h").
func setText(v reflect.Value, s string) error {
	s = strings.TrimSpace(s)
	switch {
	case v.Kind() == reflect.String:
		v.SetString(s)
		return nil
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		v.Set(reflect.ValueOf(splitList(s)))
		return nil
	case s == "":
		return errEmpty
	}
	return setScalar(v, s)
}

func setScalar(v reflect.Value, s string) error {
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("want a duration such as 90s or 24h, got %q", s)
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", s)
		}
		v.SetBool(b)
	case v.Kind() == reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("want a whole number, got %q", s)
		}
		v.SetInt(int64(n))
	case v.Kind() == reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("want a number, got %q", s)
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}

// splitList splits a comma-separated list, dropping blanks around items and
// empty items, so "a, b," is [a b].
func splitList(s string) []string {
	out := []string{}
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
