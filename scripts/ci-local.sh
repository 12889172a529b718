#!/usr/bin/env bash
# 在本机执行与 CI 相同的步骤（.github/workflows/、.gitlab-ci.yml），不需要托管平台。
#
#   scripts/ci-local.sh pr [目标分支]   拉取请求检查：校验改动、复核计划、CODEOWNERS、复核检查（默认 main）
#   scripts/ci-local.sh main            合并后：生成网站和审计记录、核验审计链（不发布）
#   scripts/ci-local.sh nightly         每日：按今天重新生成，列出新近逾期的重大事故隐患（不开议题）
#
# 用的是 .venv/bin/anjian（没有时用 PATH 中的 anjian）；环境变量 ANJIAN 可以另指。
# 每一步都只调用 anjian；任何一步失败即停止，退出码同该步。
set -euo pipefail
cd "$(dirname "$0")/.."

ANJIAN_BIN=${ANJIAN:-}
if [ -z "$ANJIAN_BIN" ]; then
  if [ -x .venv/bin/anjian ]; then ANJIAN_BIN=.venv/bin/anjian; else ANJIAN_BIN=anjian; fi
fi
anjian() {
  echo "+ anjian $*" >&2
  "$ANJIAN_BIN" "$@"
}

stage=${1:-pr}
case "$stage" in
  pr)
    BASE=${2:-main}
    anjian validate --base "$BASE" --format text
    anjian review plan --base "$BASE" --format markdown
    anjian review codeowners --check
    anjian review check --base "$BASE"
    ;;
  main)
    anjian build
    anjian audit verify
    ;;
  nightly)
    anjian build
    anjian audit verify
    anjian ledger --status 逾期 --level 重大 --newly-overdue --format markdown --output overdue.md
    ;;
  *)
    echo "用法：$0 pr [目标分支] | main | nightly" >&2
    exit 2
    ;;
esac
