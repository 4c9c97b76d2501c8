package config

import (
	"fmt"
	"os"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load builds the configuration in layers: Default, then the YAML file at
// path (skipped when path is empty), then overrides from environ (as
// os.Environ returns it), then Validate. An unknown key in the file is an
// error, because a misspelt key would otherwise be ignored silently. The
// error is an *Error listing every problem when the content is at fault.
func Load(path string, environ []string) (Config, error) {
	cfg := Default()

	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("read config: %w", err)
		}
		if err := decodeYAML(data, &cfg); err != nil {
			return Config{}, err
		}
	}

	if err := applyEnv(&cfg, environ); err != nil {
		return Config{}, err
	}

	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// decodeYAML merges the YAML document in data over cfg. It walks the node
// tree itself rather than unmarshalling, so that each problem names the
// full key path, every problem is reported, and a bare number is not taken
// as a duration in nanoseconds.
func decodeYAML(data []byte, cfg *Config) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("parse config: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil // an empty file keeps the defaults
	}

	var probs problems
	root := resolve(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil // a file of comments only
	}
	decodeMapping(root, reflect.ValueOf(cfg).Elem(), "", &probs)
	return probs.err()
}

func decodeMapping(n *yaml.Node, v reflect.Value, prefix string, probs *problems) {
	if n.Kind != yaml.MappingNode {
		key := strings.TrimSuffix(prefix, ".")
		if key == "" {
			key = "(top level)"
		}
		probs.addf(key, "line %d: want a mapping of keys", n.Line)
		return
	}

	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], resolve(n.Content[i+1])
		path := prefix + key.Value
		if key.Kind != yaml.ScalarNode || key.Value == "" {
			probs.addf(prefix+`""`, "line %d: want a plain key name", key.Line)
			continue
		}
		if seen[key.Value] {
			probs.addf(path, "line %d: key given twice", key.Line)
			continue
		}
		seen[key.Value] = true

		fv, ok := fieldByKey(v, key.Value)
		if !ok {
			probs.addf(path, "line %d: unknown key", key.Line)
			continue
		}
		if fv.Kind() == reflect.Struct {
			if val.Kind == yaml.ScalarNode && val.Tag == "!!null" {
				continue // a section whose keys are all commented out
			}
			decodeMapping(val, fv, path+".", probs)
			continue
		}
		if err := decodeValue(val, fv); err != nil {
			probs.addf(path, "line %d: %v", val.Line, err)
		}
	}
}

// decodeValue stores one YAML value in a leaf field. A list may be written
// as a YAML sequence or as one comma-separated string, as in the
// environment.
func decodeValue(n *yaml.Node, v reflect.Value) error {
	isList := v.Kind() == reflect.Slice
	switch {
	case n.Kind == yaml.SequenceNode && isList:
		items := []string{}
		for _, item := range n.Content {
			item = resolve(item)
			if item.Kind != yaml.ScalarNode {
				return fmt.Errorf("want a list of plain values")
			}
			items = append(items, splitList(item.Value)...)
		}
		v.Set(reflect.ValueOf(items))
		return nil
	case n.Kind != yaml.ScalarNode:
		return fmt.Errorf("want a single value")
	case n.Tag == "!!null" && (v.Kind() == reflect.String || isList):
		v.Set(reflect.Zero(v.Type()))
		return nil
	case n.Tag == "!!null":
		return errEmpty
	}
	return setText(v, n.Value)
}

// fieldByKey finds the struct field of v whose yaml name is key.
func fieldByKey(v reflect.Value, key string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" && name == key {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// resolve follows a YAML alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// applyEnv sets every key whose variable is present in environ. The names
// come from the struct's key paths, so unrelated BROKER_ variables are
// ignored rather than guessed at. A later entry wins over an earlier one,
// as with a shell's environment.
func applyEnv(cfg *Config, environ []string) error {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, EnvPrefix) {
			env[k] = v
		}
	}

	var probs problems
	root := reflect.ValueOf(cfg).Elem()
	for _, f := range fields() {
		name := f.EnvName()
		val, ok := env[name]
		if !ok {
			continue
		}
		if err := setText(root.FieldByIndex(f.Index), val); err != nil {
			probs.addf(name, "%v", err)
		}
	}
	return probs.err()
}
