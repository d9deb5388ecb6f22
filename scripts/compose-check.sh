#!/usr/bin/env bash
# compose-check.sh: docker-compose.yml is accepted with its required
# variables set and refused, naming the variable, with any one of them
# missing; no secret has a default; the carepath services set only settings
# carepath reads; deploy/kubernetes/*.yaml parse as YAML and do the same.
# It needs a compose CLI (`docker compose` v2 or `docker-compose` v1), not
# a Docker engine; without one it says so and skips (exit 0), so `make lint`
# runs it wherever a compose CLI exists. COMPOSE=... picks the CLI.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
file=docker-compose.yml

# The variables docker-compose.yml must refuse to start without.
required=(CAREPATH_ENCRYPTION_KEYS CAREPATH_BOOTSTRAP_API_KEY POSTGRES_PASSWORD)

if [ -n "${COMPOSE:-}" ]; then
	read -r -a compose <<<"$COMPOSE"
elif docker compose version >/dev/null 2>&1; then
	compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
	compose=(docker-compose)
else
	echo "compose-check: skipped: no compose CLI (install the docker compose plugin, or apt-get install docker-compose)"
	exit 0
fi
fail() {
	echo "compose-check: $*" >&2
	exit 1
}

# Every ${VAR:?...} in the file is a required variable, and the list above
# is all of them: dropping a :? (a default that grants access) fails here.
mapfile -t found < <(grep -oE '\$\{[A-Z_][A-Z0-9_]*:\?' "$file" | sed -E 's/^\$\{//; s/:\?$//' | sort -u)
want=$(printf '%s\n' "${required[@]}" | sort -u)
[ "$(printf '%s\n' "${found[@]}")" = "$want" ] ||
	fail "$file requires [${found[*]}], expected [${required[*]}]"
# A secret never has a default value.
if grep -nE '\$\{[A-Z0-9_]*(KEY|KEYS|PASSWORD|PWD|TOKEN|SECRET)[A-Z0-9_]*:?-[^}]' "$file"; then
	fail "$file gives a secret a default (above)"
fi

# config runs the file through the CLI with only the given variables: no
# .env beside the file (an empty --env-file instead), nothing from this
# shell.
out=$(mktemp)
trap 'rm -f "$out" "$out.err" "$out.env"' EXIT
: >"$out.env"
config() {
	env -i PATH="$PATH" HOME="${HOME:-/tmp}" ${DOCKER_CONFIG:+DOCKER_CONFIG="$DOCKER_CONFIG"} "$@" \
		"${compose[@]}" --env-file "$out.env" -f "$file" config
}
vars=()
for v in "${required[@]}"; do vars+=("$v=compose-check-placeholder-0123456789abcdef"); done

config "${vars[@]}" >"$out" 2>"$out.err" || { cat "$out.err" >&2; fail "$file is refused with ${required[*]} set"; }
for v in "${required[@]}"; do
	set_but_one=()
	for kv in "${vars[@]}"; do [ "${kv%%=*}" = "$v" ] || set_but_one+=("$kv"); done
	if config "${set_but_one[@]}" >/dev/null 2>"$out.err"; then
		fail "$file is accepted without $v"
	fi
	grep -q "$v" "$out.err" || { cat "$out.err" >&2; fail "without $v the error does not name it"; }
done

# What the file and the manifests set must be settings carepath reads (a
# misspelt name is silently ignored by carepath), checked where PyYAML
# exists (it comes with docker-compose v1).
if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "compose-check: $file accepted with ${required[*]} and refused without each (${compose[*]}); YAML checks skipped: no python3 yaml"
	exit 0
fi
known=$(grep -rhoE '"[A-Z][A-Z0-9_]{2,}"' --include='*.go' --exclude='*_test.go' internal/config cmd/carepath | tr -d '"' | sort -u)
KNOWN="$known" python3 - "$out" deploy/kubernetes/*.yaml <<'EOF'
import os, sys, yaml

known = set(os.environ["KNOWN"].split())
errors = []

def check_env(where, names):
    for n in names:
        if n not in known:
            errors.append(f"{where}: {n} is not a setting carepath reads")

# docker-compose.yml as the CLI resolved it: the carepath services.
with open(sys.argv[1]) as f:
    resolved = yaml.safe_load(f)
for name, svc in resolved["services"].items():
    if str(svc.get("image", "")).startswith("carepath:"):
        env = svc.get("environment") or {}
        check_env(f"docker-compose.yml {name}", env.keys() if isinstance(env, dict) else [e.split("=")[0] for e in env])

# The Kubernetes manifests: YAML, each document a kind with metadata, and
# the carepath containers' env names real settings.
for path in sys.argv[2:]:
    try:
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
    except yaml.YAMLError as e:
        errors.append(f"{path}: not YAML: {e}")
        continue
    if not docs:
        errors.append(f"{path}: no documents")
    for d in docs:
        if not isinstance(d, dict) or not d.get("apiVersion") or not d.get("kind") or not d.get("metadata", {}).get("name"):
            errors.append(f"{path}: a document without apiVersion, kind and metadata.name")
            continue
        if d["kind"] in ("ConfigMap", "Secret") and d["metadata"]["name"] == "carepath":
            check_env(f"{path} {d['kind']}/carepath", list((d.get("data") or {}).keys()) + list((d.get("stringData") or {}).keys()))
        spec = d.get("spec", {})
        pod = spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec") or spec.get("template", {}).get("spec") or {}
        for c in pod.get("containers", []) + pod.get("initContainers", []):
            if "carepath" in str(c.get("image", "")).split("/")[-1].split(":")[0]:
                check_env(f"{path} {d['kind']}/{d['metadata']['name']} {c.get('name')}",
                          [e["name"] for e in c.get("env", [])])
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
EOF
echo "compose-check: $file accepted with ${required[*]} and refused without each (${compose[*]}); carepath settings known; $(ls deploy/kubernetes/*.yaml | wc -l) Kubernetes manifests parse"
