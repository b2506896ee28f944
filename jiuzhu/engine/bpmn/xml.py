"""Safe XML loading for deployed resources.

Deployments come from outside (zbctl, Modeler, any client): DTDs, entity expansion and external
entities are refused before lxml sees the document, and lxml itself resolves nothing.
"""

from __future__ import annotations

import defusedxml.ElementTree as defused_et
from defusedxml import DefusedXmlException
from lxml import etree

from jiuzhu.engine.errors import EngineError, invalid

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


def parse_xml(content: bytes, resource_name: str) -> etree._Element:
    """Parse `content` or raise INVALID_ARGUMENT naming the resource and the line."""
    try:
        defused_et.fromstring(content, forbid_dtd=True)
    except DefusedXmlException as err:
        raise invalid(f"'{resource_name}' was rejected: DTDs and entity declarations are not allowed ({err})") from err
    except defused_et.ParseError as err:
        line, column = getattr(err, "position", (0, 0))
        raise invalid(f"'{resource_name}' is not well-formed XML: {err} (line {line}, column {column})") from err
    try:
        return etree.fromstring(content, parser=_PARSER)
    except etree.XMLSyntaxError as err:
        raise invalid(f"'{resource_name}' is not well-formed XML: {err.msg} (line {err.lineno})") from err


def describe(element: etree._Element) -> str:
    """`<bpmn:serviceTask id="x">` at line N — how errors name an element."""
    tag = etree.QName(element).localname
    element_id = element.get("id")
    where = f" id='{element_id}'" if element_id else ""
    return f"<{tag}{where}> at line {element.sourceline}"


def element_error(element: etree._Element, resource_name: str, message: str) -> EngineError:
    return invalid(f"'{resource_name}': {describe(element)}: {message}")
