"""k8s/Dockerfile installs exactly the Debian packages Package.swift's system-library targets
need: their -dev packages to build, the libraries those depend on to run, and nothing else; and
every shared library the tollgate binary links is in the runtime image. (No Docker engine here:
the file is checked, not built.)"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from harness import REPO

DOCKERFILE = REPO / "k8s" / "Dockerfile"
# Tools the build needs beside the libraries (SwiftPM finds the libraries with pkg-config).
BUILD_TOOLS = {"pkg-config"}
# Not a linked library: the CA bundle Envoy's and Tollgate's TLS peers are checked with.
RUNTIME_EXTRAS = {"ca-certificates"}
# What debian:bookworm-slim already has (apt itself needs them): the C and C++ runtimes.
SLIM_BASE = {"libc6", "libstdc++6", "libgcc-s1", "zlib1g"}


def stages() -> list[tuple[str, set[str]]]:
    """Each FROM image with the packages its `apt-get install` lines name."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    found: list[tuple[str, set[str]]] = []
    for line in text.splitlines():
        if line.startswith("FROM "):
            found.append((line.split()[1], set()))
        for install in re.findall(r"apt-get install ([^&]*)", line):
            found[-1][1].update(word for word in install.split() if not word.startswith("-"))
    return found


def system_library_packages() -> set[str]:
    """The apt providers of every .systemLibrary target in Package.swift."""
    manifest = (REPO / "Package.swift").read_text()
    targets = re.findall(r"\.systemLibrary\((.*?)\)\s*,", manifest, re.S)
    assert targets, "no system-library targets in Package.swift"
    packages = {p for target in targets for apt in re.findall(r"\.apt\(\[(.*?)\]\)", target)
                for p in re.findall(r'"([^"]+)"', apt)}
    assert len(packages) >= len(targets), f"a system-library target without an apt provider: {targets}"
    return packages


def runtime_package(dev_package: str) -> str:
    """The library a -dev package pins to its own version (libnghttp2-dev -> libnghttp2-14)."""
    depends = dpkg_query(dev_package, "${Depends}")
    pinned = [name for name, version in re.findall(r"([\w.+-]+) \(= ([^)]+)\)", depends) if not name.endswith("-dev")]
    assert len(pinned) == 1, f"{dev_package} depends on {depends!r}"
    return pinned[0]


def owning_package(library: str) -> str:
    """The package that installed `library`, under /lib or /usr/lib (Debian's merged /usr)."""
    for path in (library, "/usr" + library if library.startswith("/lib") else library, str(Path(library).resolve())):
        searched = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True, check=False)
        if searched.returncode == 0:
            return searched.stdout.split(":")[0]
    raise AssertionError(f"no Debian package holds {library}")


def dpkg_query(package: str, field: str) -> str:
    queried = subprocess.run(["dpkg-query", "-W", "-f", field, package], capture_output=True, text=True, check=False)
    assert queried.returncode == 0, f"{package} is not installed (scripts/setup.sh installs it): {queried.stderr}"
    return queried.stdout


@pytest.fixture(scope="module", autouse=True)
def same_debian_release():
    """Package names are per release: the host's must be the one the Dockerfile's images use."""
    codename = re.search(r"^VERSION_CODENAME=(\w+)", Path("/etc/os-release").read_text(), re.M)
    images = [image for image, _ in stages()]
    if not codename or not all(codename.group(1) in image for image in images):
        pytest.skip(f"the host is not Debian {images}: package names cannot be checked here")


def test_two_stages_on_one_debian_release():
    (build, _), (runtime, _) = stages()
    assert build.startswith("swift:") and runtime.startswith("debian:") and runtime.endswith("-slim")


def test_build_stage_installs_the_system_libraries_dev_packages():
    (_, build), _ = stages()
    assert build == system_library_packages() | BUILD_TOOLS


def test_runtime_stage_installs_their_libraries_and_nothing_else():
    _, (_, runtime) = stages()
    assert runtime == {runtime_package(p) for p in system_library_packages()} | RUNTIME_EXTRAS


def test_every_linked_library_is_in_the_runtime_image(tollgate):
    """The debug build links the Swift runtime dynamically (the image's release build links it in):
    everything outside the toolchain must come from the runtime stage's packages or the slim base."""
    _, (_, runtime) = stages()
    toolchain = Path(subprocess.run(["swift", "-print-target-info"], capture_output=True, text=True,
                                    check=True).stdout.split('"runtimeResourcePath": "')[1].split('"')[0])
    linked = re.findall(r"=> (/\S+)", subprocess.run(["ldd", str(tollgate)], capture_output=True, text=True,
                                                      check=True).stdout)
    owners: dict[str, str] = {}
    for library in linked:
        if Path(library).resolve().is_relative_to(toolchain.resolve().parent.parent):
            continue
        owners[library] = owning_package(library)
    assert owners, "ldd found no system libraries"
    missing = {library: package for library, package in owners.items() if package not in runtime | SLIM_BASE}
    assert not missing, f"linked but not installed in the runtime image: {missing}"
