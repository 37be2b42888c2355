"""C#, F# and Visual Basic: SDK-style project files and packages.config.

    <PackageReference Include="AWSSDK.DynamoDBv2" Version="3.7.300" />
    <package id="Azure.Messaging.ServiceBus" version="7.17.0" />

NuGet ids are case-insensitive; they keep the case written here and match in any case.
Directory.Packages.props only pins versions and is not read.
"""

from __future__ import annotations

from portacheck.parse.application.formats import XmlElement, load_xml, walk_xml
from portacheck.parse.application.manifests import Dependency, unique


def project_file(text: str, _name: str) -> list[Dependency]:
    return _collect(text, "PackageReference", ("Include", "Update"), "PackageReference")


def packages_config(text: str, _name: str) -> list[Dependency]:
    return _collect(text, "package", ("id",), "packages")


def _collect(text: str, tag: str, name_attrs: tuple[str, ...], section: str) -> list[Dependency]:
    root = load_xml(text)
    result: list[Dependency] = []

    def visit(element: XmlElement, _path: tuple[str, ...]) -> None:
        if element.tag != tag:
            return
        name = next((element.attr(a) for a in name_attrs if element.attr(a)), "")
        version = element.attr("Version") or element.child_text("Version")
        if name and "$(" not in name:
            result.append(Dependency("nuget", name.strip(), element.line, section, version))

    walk_xml(XmlElement("", {}, 0, [root]), visit)
    return unique(result)
