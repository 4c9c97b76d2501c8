package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"maskline/config"
	"maskline/pool"
	"maskline/store"
)

// Demo data: a tenant, an admin, and a small pool in two areas. The demo
// keys are written under data_dir so that a restarted demo still has them;
// nothing like this happens outside demo mode.
const (
	demoTenant    = "demo-express"
	demoAdmin     = "demo-admin"
	demoTenantKey = "demo-tenant.key"
	demoAdminKey  = "demo-admin.key"
)

// demoNumbers are virtual numbers in the 170 range: Beijing (010) and
// Shanghai (021), ten each.
func demoNumbers() []pool.NumberInput {
	var rows []pool.NumberInput
	for i := range 10 {
		rows = append(rows,
			pool.NumberInput{Number: fmt.Sprintf("1700100%04d", i), AreaCode: "010",
				MonthlyCost: "10.00"},
			pool.NumberInput{Number: fmt.Sprintf("1700210%04d", i), AreaCode: "021",
				MonthlyCost: "10.00"})
	}
	return rows
}

// Seed creates the demo tenant, admin key and pool when they are missing,
// and returns the demo tenant's API key.
func Seed(ctx context.Context, svc *Services, cfg config.Config, log *slog.Logger) (string,
	error) {
	if _, err := svc.Pool.Import(ctx, cfg.Region, demoNumbers()); err != nil {
		return "", err
	}

	tenantPath := filepath.Join(cfg.DataDir, demoTenantKey)
	_, err := svc.Tenants.ByName(ctx, demoTenant)
	switch {
	case errors.Is(err, store.ErrNotFound):
		_, key, err := svc.Tenants.AddTenant(ctx, demoTenant, "reveal")
		if err != nil {
			return "", err
		}
		if err := writeKey(tenantPath, key); err != nil {
			return "", err
		}
		adminKey, err := svc.Tenants.AddAdmin(ctx, demoAdmin)
		if err != nil {
			return "", err
		}
		if err := writeKey(filepath.Join(cfg.DataDir, demoAdminKey), adminKey); err != nil {
			return "", err
		}
	case err != nil:
		return "", err
	}

	key, err := os.ReadFile(tenantPath)
	if err != nil {
		return "", fmt.Errorf("read demo key: %w", err)
	}
	log.Info("demo tenant ready", "tenant", demoTenant, "tenant_key_file", tenantPath,
		"admin_key_file", filepath.Join(cfg.DataDir, demoAdminKey))
	return strings.TrimSpace(string(key)), nil
}

func writeKey(path, key string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write demo key: %w", err)
	}
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return fmt.Errorf("write demo key: %w", err)
	}
	return nil
}
