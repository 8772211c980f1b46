# Sourced by the bench scripts: the one way they build what they measure.
#   bench_build SOURCE_DIR BUILD_DIR TYPE TARGET...
# TYPE: a CMake build type (Release), or "profile": -O2 -g with frame pointers, for callgrind
# and perf. Tests are not built; ccache is used when installed.
bench_build() {
  local src=$1 dir=$2 type=$3
  shift 3
  # Paths relative to the source tree, so that worktrees of one repository share hits.
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(cd "$src" && pwd)}
  local flags=(-DBUILD_TESTING=OFF)
  command -v ccache >/dev/null && flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  if [[ $type == profile ]]; then
    flags+=(-DCMAKE_BUILD_TYPE=RelWithDebInfo
            "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g -DNDEBUG -fno-omit-frame-pointer")
  else
    flags+=(-DCMAKE_BUILD_TYPE="$type")
  fi
  cmake -S "$src" -B "$dir" "${flags[@]}" >/dev/null
  cmake --build "$dir" -j"$(nproc)" --target "$@" >/dev/null
}
