#!/usr/bin/env python3
"""The peer for GemmBench: C[m x n] = A[m x k] . B[n x k]^T in float32 with numpy's BLAS.

Times each shape (default: the issue's 256x2048x512 plus GemmBench's linear-layer shapes) with 1 and
2 BLAS threads, each thread count in its own subprocess so the thread setting is applied before the
BLAS loads. Prints one JSON line per (shape, threads) with GFLOP/s = 2*m*n*k / seconds / 1e9, and
first a JSON line describing numpy's BLAS (name, version, the OpenBLAS kernel it picked).

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE: some machines set both in the environment, which makes a
current numpy pick a slower kernel. The subprocesses run with BOTH removed (only theirs; the calling
shell is untouched) unless --keep-env is given; the output says which were removed and which kernel
OpenBLAS then used.

Usage: python3 bench/numpy_gemm.py [--threads 1,2] [--shapes 256x2048x512,...] [--seconds 3] [--keep-env]
"""
import argparse
import json
import os
import subprocess
import sys
import time

SHAPES = "256x2048x512,512x512x2048,512x2048x512"
STRIPPED = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


def blas_info(np):
    """What numpy was built against, and (at run time) which OpenBLAS kernel and thread count it uses."""
    info = {"numpy": np.__version__, "python": sys.version.split()[0], "executable": sys.executable}
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        info["blas"] = blas.get("name")
        info["blas_version"] = blas.get("version")
        info["blas_config"] = blas.get("openblas configuration")
    except Exception as e:  # numpy < 1.25 has no mode="dicts"
        info["blas_error"] = repr(e)
    try:
        from threadpoolctl import threadpool_info
        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            p = pools[0]
            info.update(runtime_api=p.get("internal_api"), corename=p.get("architecture"),
                        blas_threads=p.get("num_threads"), library=p.get("filepath"), via="threadpoolctl")
            return info
    except ImportError:
        pass
    info.update(_openblas_by_ctypes())
    return info


def _openblas_by_ctypes():
    """Without threadpoolctl: find the loaded OpenBLAS in /proc/self/maps and ask it directly."""
    import ctypes
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and ".so" in line})
    except OSError:
        return {"via": "none (no /proc/self/maps)"}
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        out = {"library": path, "via": "ctypes"}
        for prefix in ("scipy_openblas_", "openblas_"):
            for suffix in ("64_", ""):
                name = prefix + "get_corename" + suffix
                if hasattr(lib, name):
                    fn = getattr(lib, name)
                    fn.restype = ctypes.c_char_p
                    out["corename"] = fn().decode()
                    out["runtime_api"] = "openblas"
                name = prefix + "get_num_threads" + suffix
                if hasattr(lib, name):
                    fn = getattr(lib, name)
                    fn.restype = ctypes.c_int
                    out["blas_threads"] = fn()
        if "corename" in out:
            return out
    return {"via": "unknown BLAS (install threadpoolctl for details)", "libraries": libs}


def child(threads, shapes, seconds):
    import numpy as np
    info = blas_info(np)
    info["event"] = "blas"
    info["threads_requested"] = threads
    info["env_removed"] = os.environ.get("NUMPY_GEMM_REMOVED", "").split(",") if os.environ.get("NUMPY_GEMM_REMOVED") else []
    print(json.dumps(info), flush=True)
    rng = np.random.default_rng(0)
    for shape in shapes:
        m, n, k = (int(s) for s in shape.split("x"))
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((n, k), dtype=np.float32)
        c = np.empty((m, n), dtype=np.float32)
        bt = b.T
        np.matmul(a, bt, out=c)
        # check a few entries against float64 so a broken BLAS cannot post a number
        ref = a[:4].astype(np.float64) @ b.astype(np.float64).T
        err = float(np.max(np.abs(c[:4] - ref) / (np.abs(a[:4]).astype(np.float64) @ np.abs(b).T.astype(np.float64))))
        if not err < 4 * k * 2.0 ** -24:
            raise SystemExit(f"numpy gemm {shape}: relative error {err} is too large")
        end = time.perf_counter() + min(1.0, seconds / 3)  # warm-up
        while time.perf_counter() < end:
            np.matmul(a, bt, out=c)
        times = []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end or len(times) < 5:
            t0 = time.perf_counter()
            np.matmul(a, bt, out=c)
            times.append(time.perf_counter() - t0)
        times.sort()
        flops = 2.0 * m * n * k
        med = times[len(times) // 2]
        print(json.dumps({
            "event": "gemm", "bench": "numpy_gemm", "shape": shape, "m": m, "n": n, "k": k,
            "form": "A.B^T float32", "threads": threads, "blas_threads": info.get("blas_threads"),
            "corename": info.get("corename"), "reps": len(times),
            "ms_median": med * 1e3, "ms_best": times[0] * 1e3,
            "gflops_median": flops / med / 1e9, "gflops_best": flops / times[0] / 1e9,
            "max_rel_error": err,
        }), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", default="1,2", help="comma-separated BLAS thread counts (default 1,2)")
    ap.add_argument("--shapes", default=SHAPES, help="comma-separated m x n x k (default %(default)s)")
    ap.add_argument("--seconds", type=float, default=3.0, help="measuring time per shape and thread count")
    ap.add_argument("--keep-env", action="store_true",
                    help="keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE in the subprocesses' environment")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    if args.child is not None:
        child(args.child, shapes, args.seconds)
        return
    status = 0
    for t in (int(x) for x in args.threads.split(",")):
        env = dict(os.environ)
        removed = []
        if not args.keep_env:
            for var in STRIPPED:  # both together, as the machine notes say
                if var in env:
                    removed.append(f"{var}={env.pop(var)}")
        for var in THREAD_VARS:
            env[var] = str(t)
        env["NUMPY_GEMM_REMOVED"] = ",".join(removed)
        cmd = [sys.executable, os.path.abspath(__file__), "--child", str(t), "--shapes", ",".join(shapes),
               "--seconds", str(args.seconds)]
        rc = subprocess.call(cmd, env=env)
        if rc != 0:
            print(json.dumps({"event": "error", "threads": t, "exit": rc}), flush=True)
            status = 1
    sys.exit(status)


if __name__ == "__main__":
    main()
