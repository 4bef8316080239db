// Command operator-config turns AlertmanagerConfig objects into the Alertmanager configuration the
// Prometheus Operator would generate, with the Operator's own code (pkg/alertmanager), so the
// tests route alerts through what a cluster would really run instead of a re-implementation.
//
//	operator-config --base chart-alertmanager.yaml --objects objects.yaml \
//	  --namespace monitoring --strategy None --alertmanager-version 0.28.1
//
// objects.yaml holds AlertmanagerConfig objects and the Secrets they reference (stringData).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/blang/semver/v4"
	"github.com/prometheus-operator/prometheus-operator/pkg/alertmanager"
	validationv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/alertmanager/validation/v1alpha1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	monitoringv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1alpha1"
	"github.com/prometheus-operator/prometheus-operator/pkg/assets"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

type objects struct {
	configs map[string]*monitoringv1alpha1.AlertmanagerConfig
	secrets []any
}

// readObjects decodes the documents strictly: a field the Operator does not know is an error.
func readObjects(path string) (objects, error) {
	out := objects{configs: map[string]*monitoringv1alpha1.AlertmanagerConfig{}}
	data, err := os.ReadFile(path)
	if err != nil {
		return out, err
	}
	for i, doc := range bytes.Split(data, []byte("\n---\n")) {
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var meta struct{ Kind string }
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			return out, fmt.Errorf("document %d: %w", i, err)
		}
		switch meta.Kind {
		case "AlertmanagerConfig":
			amc := &monitoringv1alpha1.AlertmanagerConfig{}
			if err := yaml.UnmarshalStrict(doc, amc); err != nil {
				return out, fmt.Errorf("AlertmanagerConfig (document %d): %w", i, err)
			}
			if err := validationv1alpha1.ValidateAlertmanagerConfig(amc); err != nil {
				return out, fmt.Errorf("AlertmanagerConfig %s/%s: %w", amc.Namespace, amc.Name, err)
			}
			out.configs[amc.Namespace+"/"+amc.Name] = amc
		case "Secret":
			secret := &corev1.Secret{}
			if err := yaml.UnmarshalStrict(doc, secret); err != nil {
				return out, fmt.Errorf("Secret (document %d): %w", i, err)
			}
			if secret.Data == nil {
				secret.Data = map[string][]byte{}
			}
			for k, v := range secret.StringData {
				secret.Data[k] = []byte(v)
			}
			out.secrets = append(out.secrets, secret)
		default:
			return out, fmt.Errorf("document %d: kind %q is neither AlertmanagerConfig nor Secret", i, meta.Kind)
		}
	}
	return out, nil
}

func generate(base []byte, objs objects, namespace, strategy, version string) (out []byte, err error) {
	// Without a Kubernetes client the store panics on a Secret it was not given: report it.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("a referenced Secret is missing from the objects: %v", r)
		}
	}()
	amVersion, err := semver.ParseTolerant(version)
	if err != nil {
		return nil, err
	}
	am := &monitoringv1.Alertmanager{}
	am.Namespace = namespace
	am.Spec.AlertmanagerConfigMatcherStrategy.Type = monitoringv1.AlertmanagerConfigMatcherStrategyType(strategy)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cb := alertmanager.NewConfigBuilder(logger, amVersion, assets.NewTestStoreBuilder(objs.secrets...), am)
	if err := cb.InitializeFromRawConfiguration(base); err != nil {
		return nil, fmt.Errorf("base configuration: %w", err)
	}
	if err := cb.AddAlertmanagerConfigs(context.Background(), objs.configs); err != nil {
		return nil, err
	}
	return cb.MarshalJSON()
}

func main() {
	base := flag.String("base", "", "the Alertmanager configuration the AlertmanagerConfig objects are merged into")
	objectsFile := flag.String("objects", "", "AlertmanagerConfig objects and Secrets, as YAML documents")
	namespace := flag.String("namespace", "monitoring", "the namespace of the Alertmanager object")
	strategy := flag.String("strategy", "OnNamespace", "alertmanagerConfigMatcherStrategy: OnNamespace, OnNamespaceExceptForAlertmanagerNamespace or None")
	version := flag.String("alertmanager-version", "0.28.1", "the Alertmanager version the configuration is generated for")
	flag.Parse()
	err := run(*base, *objectsFile, *namespace, *strategy, *version)
	if err != nil {
		fmt.Fprintln(os.Stderr, "operator-config:", err)
		os.Exit(1)
	}
}

func run(base, objectsFile, namespace, strategy, version string) error {
	if base == "" || objectsFile == "" {
		return errors.New("--base and --objects are required")
	}
	switch strategy {
	case "OnNamespace", "OnNamespaceExceptForAlertmanagerNamespace", "None":
	default:
		return fmt.Errorf("--strategy is %q; expected OnNamespace, OnNamespaceExceptForAlertmanagerNamespace or None", strategy)
	}
	raw, err := os.ReadFile(base)
	if err != nil {
		return err
	}
	objs, err := readObjects(objectsFile)
	if err != nil {
		return err
	}
	out, err := generate(raw, objs, namespace, strategy, version)
	if err != nil {
		return err
	}
	_, err = os.Stdout.WriteString(strings.TrimSpace(string(out)) + "\n")
	return err
}
