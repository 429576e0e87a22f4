// Validates the custom resources of the rendered manifests (custom.json from check_manifests.py):
//
//  - kinds with an @kubernetes-models package (cert-manager, prometheus-operator, Knative, External
//    Secrets): the package's validator, compiled from the CRD's OpenAPI schema (types, enums,
//    patterns, required fields); and, because CRD schemas rarely forbid unknown fields (the API
//    server prunes them silently), a TypeScript check of every object literal against the
//    package's generated type: a misspelled field is an "excess property" error;
//  - CloudNativePG's Cluster and ScheduledBackup, the Barman Cloud plugin's ObjectStore and Cloud
//    Run's Job (no package exists): the JSON schemas in schemas/, written from their reference
//    documentation, unknown fields rejected;
//  - Cloud Run's own rules for a Knative Service (schemas/cloudrun-service.schema.json).
//
//   node validate-custom-resources.mjs custom.json

import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));

// apiVersion/kind → the package module and its TypeScript interface.
const MODELS = {
  "cert-manager.io/v1/ClusterIssuer": ["@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer", "IClusterIssuer"],
  "monitoring.coreos.com/v1/ServiceMonitor": ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor", "IServiceMonitor"],
  "monitoring.coreos.com/v1/PodMonitor": ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor", "IPodMonitor"],
  "monitoring.coreos.com/v1/PrometheusRule": ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule", "IPrometheusRule"],
  "serving.knative.dev/v1/Service": ["@kubernetes-models/knative/serving.knative.dev/v1/Service", "IService"],
  // External Secrets serves only v1 since 0.17; the package has the v1beta1 schema, which v1
  // keeps field for field ("a straight conversion", the maintainers' words), so v1 objects are
  // checked against it under v1beta1's apiVersion.
  "external-secrets.io/v1/ExternalSecret": ["@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret", "IExternalSecret", "external-secrets.io/v1beta1"],
  "external-secrets.io/v1/SecretStore": ["@kubernetes-models/external-secrets/external-secrets.io/v1beta1/SecretStore", "ISecretStore", "external-secrets.io/v1beta1"],
};

// apiVersion/kind → our schema (from the projects' API references, see each file's description).
const OWN_SCHEMAS = {
  "postgresql.cnpg.io/v1/Cluster": "cnpg-cluster.schema.json",
  "postgresql.cnpg.io/v1/ScheduledBackup": "cnpg-scheduledbackup.schema.json",
  "barmancloud.cnpg.io/v1/ObjectStore": "barman-objectstore.schema.json",
  "run.googleapis.com/v1/Job": "cloudrun-job.schema.json",
};
// Cloud Run's restrictions on top of the Knative schema.
const EXTRA_SCHEMAS = {
  "serving.knative.dev/v1/Service": "cloudrun-service.schema.json",
};

const input = process.argv[2];
if (!input) {
  console.error("usage: node validate-custom-resources.mjs custom.json");
  process.exit(2);
}
const entries = JSON.parse(readFileSync(input, "utf8"));
// strictRequired off: oneOf/if branches name properties their parent schema declares
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
const loadSchema = (file) => ajv.compile(JSON.parse(readFileSync(join(here, "schemas", file), "utf8")));
const failures = [];
const counts = { package: 0, typescript: 0, own: 0 };

const label = ({ source, object }) => `${source}: ${object.apiVersion} ${object.kind} ${object.metadata?.name}`;

for (const entry of entries) {
  const { object } = entry;
  const key = `${object.apiVersion}/${object.kind}`;
  const model = MODELS[key];
  const own = OWN_SCHEMAS[key];
  if (!model && !own) {
    failures.push(`${label(entry)}: no schema known for ${key}`);
    continue;
  }
  if (model) {
    const [module, , asVersion] = model;
    const Class = Object.values(await import(module)).find((v) => typeof v === "function" && v.apiVersion);
    try {
      new Class({ ...object, apiVersion: asVersion ?? object.apiVersion }).validate();
      counts.package++;
    } catch (error) {
      failures.push(`${label(entry)}: ${error.message}`);
    }
  }
  for (const file of [own, EXTRA_SCHEMAS[key]].filter(Boolean)) {
    const validate = loadSchema(file);
    if (validate(object)) {
      counts.own++;
    } else {
      for (const e of validate.errors) {
        failures.push(`${label(entry)} (${file}): ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
      }
    }
  }
}

// Unknown fields: one `const oN: IKind = {…}` per object; tsc reports excess properties.
const typed = entries.filter(({ object }) => MODELS[`${object.apiVersion}/${object.kind}`]);
// next to node_modules, so the packages resolve as they would for any project
const file = join(here, `.objects-${process.pid}.mts`);
try {
  const lines = [];
  typed.forEach(({ object }, i) => {
    const [module, iface, asVersion] = MODELS[`${object.apiVersion}/${object.kind}`];
    lines.push(`import type { ${iface} as T${i} } from "${module}";`);
    lines.push(`export const o${i}: T${i} = ${JSON.stringify({ ...object, apiVersion: asVersion ?? object.apiVersion })};`);
  });
  writeFileSync(file, lines.join("\n"));
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    typeRoots: [],
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  for (const d of diagnostics) {
    const line = d.file ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const entry = typed[Math.floor((line - 1) / 2)];
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    failures.push(`${entry ? label(entry) : "objects.mts"}: ${message.slice(0, 600)}`);
  }
  counts.typescript = typed.length;
} finally {
  rmSync(file, { force: true });
}

if (failures.length) {
  console.error(`custom resources: ${failures.length} problem(s)`);
  for (const f of failures) console.error(`  - ${f}`);
  process.exit(1);
}
console.log(
  `custom resources: ${entries.length} objects valid — ${counts.package} against @kubernetes-models CRD schemas, ` +
    `${counts.typescript} free of unknown fields (TypeScript), ${counts.own} against our CloudNativePG/Cloud Run schemas`,
);
