#!/usr/bin/env bash
# Computes the IKEv2 key derivation of RFC 7296 §2.13, §2.14, §2.17 and §2.18 with the OpenSSL command
# line's HMAC, independently of the Java code under test, and prints a block for ikev2-kdf.txt.
#   usage: ikev2-kdf-openssl.sh DIGEST NI NR GIR GIR_NEW SPII SPIR DKM_BYTES CHILD_BYTES   (all hex)
# DIGEST is SHA256, SHA384 or SHA512.
set -euo pipefail
digest=$1 ni=$2 nr=$3 gir=$4 girnew=$5 spii=$6 spir=$7 dkm_len=$8 child_len=$9

prf() { # prf KEYHEX DATAHEX -> hex
  printf '%s' "$2" | xxd -r -p | openssl mac -digest "$digest" -macopt "hexkey:$1" HMAC | tr 'A-F' 'a-f'
}
prfplus() { # prfplus KEYHEX SEEDHEX BYTES -> hex
  local t="" out="" n=1
  while [ $(( ${#out} / 2 )) -lt "$3" ]; do
    t=$(prf "$1" "$t$2$(printf '%02x' "$n")")
    out="$out$t"; n=$((n + 1))
  done
  printf '%s' "${out:0:$(( $3 * 2 ))}"
}

skeyseed=$(prf "$ni$nr" "$gir")
dkm=$(prfplus "$skeyseed" "$ni$nr$spii$spir" "$dkm_len")
prf_len=$(( ${#skeyseed} / 2 ))
skd=${dkm:0:$(( prf_len * 2 ))}
echo "skeyseed = $skeyseed"
echo "dkm = $dkm"
echo "dkm_child = $(prfplus "$skd" "$ni$nr" "$child_len")"
echo "dkm_child_dh = $(prfplus "$skd" "$girnew$ni$nr" "$child_len")"
echo "skeyseed_rekey = $(prf "$skd" "$girnew$ni$nr")"
