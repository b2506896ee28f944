"""A small BPMN writer with grid layout, used to write the first version of ``workflows/*.bpmn``.

Elements sit on a grid (column, row): columns run left to right, rows top to bottom. Sequence
flows are routed orthogonally; a flow that has to go backwards or around others takes a
``channel`` row. Embedded sub-processes are sized from what they contain. The output is
Camunda 8.8 BPMN with full DI, so it opens in Camunda Modeler; once a designer edits a file in
Modeler, the file is the source of truth (see ``tools/author_workflows.py``).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

COL = 150  # grid column width (px)
ROW = 130  # grid row height (px)
MARGIN = 80

SIZE = {"task": (100, 80), "event": (36, 36), "gateway": (50, 50)}
TASKS = {"serviceTask", "userTask", "scriptTask", "businessRuleTask", "callActivity", "receiveTask", "sendTask"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway"}


def attr(value: str) -> str:
    return quoteattr(value)


@dataclass
class Node:
    id: str
    tag: str
    name: str
    col: float
    row: float
    parent: str | None
    ext: list[str] = field(default_factory=list)
    event_def: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    loop: str | None = None
    doc: str | None = None
    attached_to: str | None = None
    side: str = "bottom"
    pos: float = 0.5
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)
    bounds: tuple[float, float, float, float] = (0, 0, 0, 0)

    @property
    def shape(self) -> str:
        if self.tag in GATEWAYS:
            return "gateway"
        if self.tag in EVENTS:
            return "event"
        return "task"


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None
    channel: float | None = None
    style: str = ""
    waypoints: list[tuple[float, float]] = field(default_factory=list)


class Process:
    def __init__(self, process_id: str, name: str, doc: str = "") -> None:
        self.id = process_id
        self.name = name
        self.doc = doc
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        self.errors: dict[str, str] = {}  # code -> name
        self.messages: dict[str, str] = {}  # name -> correlation key
        self._parent: str | None = None
        self._event_counter = 0

    # --- elements ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def inside(self, subprocess_id: str) -> Iterator[None]:
        previous, self._parent = self._parent, subprocess_id
        try:
            yield
        finally:
            self._parent = previous

    def add(self, tag: str, node_id: str, name: str, col: float, row: float, **kw: object) -> Node:
        if node_id in self.nodes:
            raise ValueError(f"duplicate id {node_id}")
        node = Node(node_id, tag, name, col, row, self._parent, **kw)  # type: ignore[arg-type]
        self.nodes[node_id] = node
        return node

    def start(self, node_id: str, name: str, col: float, row: float) -> Node:
        return self.add("startEvent", node_id, name, col, row)

    def end(self, node_id: str, name: str, col: float, row: float, **kw: object) -> Node:
        return self.add("endEvent", node_id, name, col, row, **kw)

    def service(
        self,
        node_id: str,
        name: str,
        col: float,
        row: float,
        job_type: str,
        inputs: list[tuple[str, str]] | None = None,
        outputs: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        **kw: object,
    ) -> Node:
        ext = [f'<zeebe:taskDefinition type={attr(job_type)} retries="3" />']
        ext += io_mapping(inputs, outputs)
        if headers:
            inner = "".join(f"<zeebe:header key={attr(k)} value={attr(v)} />" for k, v in headers.items())
            ext.append(f"<zeebe:taskHeaders>{inner}</zeebe:taskHeaders>")
        return self.add("serviceTask", node_id, name, col, row, ext=ext, **kw)

    def user(
        self,
        node_id: str,
        name: str,
        col: float,
        row: float,
        form: str,
        groups: str,
        due: str | None = None,
        inputs: list[tuple[str, str]] | None = None,
        outputs: list[tuple[str, str]] | None = None,
        **kw: object,
    ) -> Node:
        ext = ["<zeebe:userTask />", f"<zeebe:formDefinition formId={attr(form)} />"]
        ext.append(f"<zeebe:assignmentDefinition candidateGroups={attr(groups)} />")
        if due:
            ext.append(f"<zeebe:taskSchedule dueDate={attr(due)} />")
        ext += io_mapping(inputs, outputs)
        return self.add("userTask", node_id, name, col, row, ext=ext, **kw)

    def script(self, node_id: str, name: str, col: float, row: float, expression: str, result: str) -> Node:
        ext = [f"<zeebe:script expression={attr(expression)} resultVariable={attr(result)} />"]
        return self.add("scriptTask", node_id, name, col, row, ext=ext)

    def rule(self, node_id: str, name: str, col: float, row: float, decision: str, result: str) -> Node:
        ext = [f"<zeebe:calledDecision decisionId={attr(decision)} resultVariable={attr(result)} />"]
        return self.add("businessRuleTask", node_id, name, col, row, ext=ext)

    def call(
        self,
        node_id: str,
        name: str,
        col: float,
        row: float,
        process_id: str,
        inputs: list[tuple[str, str]],
        outputs: list[tuple[str, str]],
        **kw: object,
    ) -> Node:
        ext = [
            f"<zeebe:calledElement processId={attr(process_id)} "
            'propagateAllChildVariables="false" propagateAllParentVariables="false" />'
        ]
        ext += io_mapping(inputs, outputs)
        return self.add("callActivity", node_id, name, col, row, ext=ext, **kw)

    def receive(self, node_id: str, name: str, col: float, row: float, message: str, key: str) -> Node:
        self.messages[message] = key
        return self.add("receiveTask", node_id, name, col, row, attrs={"messageRef": message_id(message)})

    def xor(self, node_id: str, name: str, col: float, row: float) -> Node:
        return self.add("exclusiveGateway", node_id, name, col, row)

    def par(self, node_id: str, name: str, col: float, row: float) -> Node:
        return self.add("parallelGateway", node_id, name, col, row)

    def subprocess(self, node_id: str, name: str, **kw: object) -> Node:
        return self.add("subProcess", node_id, name, 0, 0, **kw)

    def timer_catch(self, node_id: str, name: str, col: float, row: float, time_date: str) -> Node:
        return self.add("intermediateCatchEvent", node_id, name, col, row, event_def=self._timer("timeDate", time_date))

    def boundary(
        self,
        node_id: str,
        name: str,
        host: str,
        event_def: str,
        side: str = "bottom",
        pos: float = 0.5,
        interrupting: bool = True,
        outputs: list[tuple[str, str]] | None = None,
    ) -> Node:
        attrs = {"attachedToRef": host}
        if not interrupting:
            attrs["cancelActivity"] = "false"
        node = Node(node_id, "boundaryEvent", name, 0, 0, self.nodes[host].parent, attrs=attrs)
        node.attached_to, node.side, node.pos = host, side, pos
        node.event_def = event_def
        node.ext = io_mapping(None, outputs)
        self.nodes[node_id] = node
        return node

    # --- event definitions ------------------------------------------------------------------------

    def _def_id(self, kind: str) -> str:
        self._event_counter += 1
        return f"{kind}EventDefinition_{self._event_counter}"

    def _timer(self, kind: str, value: str) -> str:
        did = self._def_id("Timer")
        return (
            f'<bpmn:timerEventDefinition id="{did}"><bpmn:{kind} xsi:type="bpmn:tFormalExpression">'
            f"{escape(value)}</bpmn:{kind}></bpmn:timerEventDefinition>"
        )

    def timer_date(self, value: str) -> str:
        return self._timer("timeDate", value)

    def timer_duration(self, value: str) -> str:
        return self._timer("timeDuration", value)

    def error(self, code: str, name: str) -> str:
        self.errors[code] = name
        return f'<bpmn:errorEventDefinition id="{self._def_id("Error")}" errorRef="{error_id(code)}" />'

    def message(self, name: str, key: str) -> str:
        self.messages[name] = key
        return f'<bpmn:messageEventDefinition id="{self._def_id("Message")}" messageRef="{message_id(name)}" />'

    # --- flows ------------------------------------------------------------------------------------

    def flow(
        self,
        source: str,
        target: str,
        name: str | None = None,
        cond: str | None = None,
        default: bool = False,
        channel: float | None = None,
        flow_id: str | None = None,
        style: str = "",
    ) -> Flow:
        fid = flow_id or f"Flow_{source.split('_', 1)[-1]}_{target.split('_', 1)[-1]}"
        if any(f.id == fid for f in self.flows):
            raise ValueError(f"duplicate flow id {fid}")
        flow = Flow(fid, source, target, name, cond, channel, style)
        self.flows.append(flow)
        self.nodes[source].outgoing.append(fid)
        self.nodes[target].incoming.append(fid)
        if default:
            self.nodes[source].attrs["default"] = fid
        return flow

    def chain(self, *ids: str) -> None:
        for a, b in itertools.pairwise(ids):
            self.flow(a, b)

    # --- layout -----------------------------------------------------------------------------------

    def _layout(self) -> None:
        rows = [n.row for n in self.nodes.values() if n.tag not in ("subProcess", "boundaryEvent")]
        rows += [f.channel for f in self.flows if f.channel is not None]
        cols = [n.col for n in self.nodes.values() if n.tag not in ("subProcess", "boundaryEvent")]
        self._row0 = min(rows)
        self._col0 = min(cols)
        for node in self.nodes.values():
            if node.tag in ("subProcess", "boundaryEvent"):
                continue
            w, h = SIZE[node.shape]
            cx, cy = self._cx(node.col), self._cy(node.row)
            node.bounds = (cx - w / 2, cy - h / 2, w, h)
        # Sub-processes: innermost first, sized around their children (boundaries come later).
        subs = [n for n in self.nodes.values() if n.tag == "subProcess"]
        for sub in sorted(subs, key=self._depth, reverse=True):
            kids = [n for n in self.nodes.values() if n.parent == sub.id and n.tag != "boundaryEvent"]
            xs = [n.bounds[0] for n in kids] + [n.bounds[0] + n.bounds[2] for n in kids]
            ys = [n.bounds[1] for n in kids] + [n.bounds[1] + n.bounds[3] for n in kids]
            ys += [self._cy(f.channel) for f in self.flows if f.channel is not None and self._in(f, sub.id)]
            x, y = min(xs) - 40, min(ys) - 40
            sub.bounds = (x, y, max(xs) + 40 - x, max(ys) + 40 - y)
        for node in self.nodes.values():
            if node.tag == "boundaryEvent" and node.attached_to:
                hx, hy, hw, hh = self.nodes[node.attached_to].bounds
                cx = self._cx(node.pos) if node.pos > 1 else hx + hw * node.pos
                cy = hy + hh if node.side == "bottom" else hy
                node.bounds = (cx - 18, cy - 18, 36, 36)
        for flow in self.flows:
            flow.waypoints = self._route(flow)

    def _touches_top(self, node: Node) -> bool:
        x, y, w, _ = node.bounds
        return any(_touched(f.waypoints, x + w / 2, y) for f in self.flows)

    def _depth(self, node: Node) -> int:
        depth, parent = 0, node.parent
        while parent:
            depth, parent = depth + 1, self.nodes[parent].parent
        return depth

    def _in(self, flow: Flow, sub: str) -> bool:
        return self.nodes[flow.source].parent == sub

    def _cx(self, col: float) -> float:
        return MARGIN + 50 + (col - self._col0) * COL

    def _cy(self, row: float) -> float:
        return MARGIN + 40 + (row - self._row0) * ROW

    def _route(self, flow: Flow) -> list[tuple[float, float]]:
        s, t = self.nodes[flow.source], self.nodes[flow.target]
        sx, sy, sw, sh = s.bounds
        tx, ty, tw, th = t.bounds
        scx, scy, tcx, tcy = sx + sw / 2, sy + sh / 2, tx + tw / 2, ty + th / 2
        if flow.channel is not None:
            cy = self._cy(flow.channel)
            exit_y = sy if cy < scy else sy + sh
            if s.tag == "boundaryEvent":
                exit_y = sy + sh if s.side == "bottom" else sy
            enter_y = ty if cy < tcy else ty + th
            return [(scx, exit_y), (scx, cy), (tcx, cy), (tcx, enter_y)]
        if s.tag == "boundaryEvent":
            exit_y = sy + sh if s.side == "bottom" else sy
            if abs(tcx - scx) < 1:
                return [(scx, exit_y), (tcx, ty if tcy > scy else ty + th)]
            return [(scx, exit_y), (scx, tcy), (tx if tcx > scx else tx + tw, tcy)]
        if s.tag == "subProcess" and sy < tcy < sy + sh and tcx > scx:
            return [(sx + sw, tcy), (tx, tcy)]
        if t.tag == "subProcess" and ty < scy < ty + th and tcx > scx:
            return [(sx + sw, scy), (tx, scy)]
        if abs(scy - tcy) < 1:
            if tcx > scx:
                return [(sx + sw, scy), (tx, tcy)]
            return [(sx, scy), (tx + tw, tcy)]
        if abs(scx - tcx) < 1:
            return [(scx, sy + sh if tcy > scy else sy), (tcx, ty if tcy > scy else ty + th)]
        if t.shape == "gateway" and tcx > scx and flow.style != "src":
            return [(sx + sw, scy), (tcx, scy), (tcx, ty if tcy > scy else ty + th)]
        if s.shape == "gateway":
            return [(scx, sy + sh if tcy > scy else sy), (scx, tcy), (tx if tcx > scx else tx + tw, tcy)]
        mid = (sx + sw + tx) / 2
        return [(sx + sw, scy), (mid, scy), (mid, tcy), (tx, tcy)]

    # --- XML --------------------------------------------------------------------------------------

    def xml(self) -> str:
        self._layout()
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
            'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
            'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
            'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
            'xmlns:modeler="http://camunda.org/schema/modeler/1.0" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'id="Definitions_{self.id}" targetNamespace="http://jiuzhu.example/bpmn" '
            'exporter="Camunda Modeler" exporterVersion="5.40.0" '
            'modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0">',
        ]
        out.append(f'  <bpmn:process id="{self.id}" name={attr(self.name)} isExecutable="true">')
        if self.doc:
            out.append(f"    <bpmn:documentation>{escape(self.doc)}</bpmn:documentation>")
        out += self._elements(None, "    ")
        out.append("  </bpmn:process>")
        for code, name in self.errors.items():
            out.append(f'  <bpmn:error id="{error_id(code)}" name={attr(name)} errorCode={attr(code)} />')
        for name, key in self.messages.items():
            out.append(
                f'  <bpmn:message id="{message_id(name)}" name={attr(name)}><bpmn:extensionElements>'
                f"<zeebe:subscription correlationKey={attr(key)} /></bpmn:extensionElements></bpmn:message>"
            )
        out += self._diagram()
        out.append("</bpmn:definitions>")
        return "\n".join(out) + "\n"

    def _elements(self, parent: str | None, pad: str) -> list[str]:
        out: list[str] = []
        for node in self.nodes.values():
            if node.parent != parent:
                continue
            attrs = "".join(f" {k}={attr(v)}" for k, v in node.attrs.items())
            head = f"{pad}<bpmn:{node.tag} id={attr(node.id)} name={attr(node.name)}{attrs}"
            if node.tag == "subProcess":
                out.append(head + ">")
            else:
                out.append(head + ">")
            inner = pad + "  "
            if node.doc:
                out.append(f"{inner}<bpmn:documentation>{escape(node.doc)}</bpmn:documentation>")
            if node.ext:
                out.append(f"{inner}<bpmn:extensionElements>{''.join(node.ext)}</bpmn:extensionElements>")
            out += [f"{inner}<bpmn:incoming>{i}</bpmn:incoming>" for i in node.incoming]
            out += [f"{inner}<bpmn:outgoing>{o}</bpmn:outgoing>" for o in node.outgoing]
            if node.loop:
                out.append(inner + node.loop)
            if node.event_def:
                out.append(inner + node.event_def)
            if node.tag == "subProcess":
                out += self._elements(node.id, inner)
            out.append(f"{pad}</bpmn:{node.tag}>")
        for flow in self.flows:
            if self.nodes[flow.source].parent != parent:
                continue
            name = f" name={attr(flow.name)}" if flow.name else ""
            head = f"{pad}<bpmn:sequenceFlow id={attr(flow.id)}{name} sourceRef={attr(flow.source)} "
            head += f"targetRef={attr(flow.target)}"
            if flow.condition:
                out.append(head + ">")
                out.append(
                    f'{pad}  <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                    f"{escape(flow.condition)}</bpmn:conditionExpression>"
                )
                out.append(f"{pad}</bpmn:sequenceFlow>")
            else:
                out.append(head + " />")
        return out

    def _diagram(self) -> list[str]:
        out = [
            f'  <bpmndi:BPMNDiagram id="BPMNDiagram_{self.id}">',
            f'    <bpmndi:BPMNPlane id="BPMNPlane_{self.id}" bpmnElement="{self.id}">',
        ]
        ordered = sorted(self.nodes.values(), key=lambda n: (n.tag == "boundaryEvent", self._depth(n)))
        for node in ordered:
            x, y, w, h = node.bounds
            extra = ' isExpanded="true"' if node.tag == "subProcess" else ""
            out.append(f'      <bpmndi:BPMNShape id="{node.id}_di" bpmnElement="{node.id}"{extra}>')
            out.append(f'        <dc:Bounds x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" />')
            if node.shape in ("event", "gateway") and node.name:
                lw = 110
                ly = y + h + 6 if not (node.tag == "boundaryEvent" and node.side == "top") else y - 34
                if node.shape == "gateway" and not self._touches_top(node):
                    ly = y - 34
                if node.tag == "boundaryEvent" and node.side == "bottom":
                    ly = y + h + 4
                    lx = x + w + 4
                else:
                    lx = x + w / 2 - lw / 2
                out.append(
                    f'        <bpmndi:BPMNLabel><dc:Bounds x="{lx:g}" y="{ly:g}" width="{lw}" height="27" />'
                    "</bpmndi:BPMNLabel>"
                )
            out.append("      </bpmndi:BPMNShape>")
        for flow in self.flows:
            out.append(f'      <bpmndi:BPMNEdge id="{flow.id}_di" bpmnElement="{flow.id}">')
            points = _dedupe(flow.waypoints)
            out += [f'        <di:waypoint x="{px:g}" y="{py:g}" />' for px, py in points]
            if flow.name:
                (ax, ay), (bx, by) = points[0], points[1]
                lx, ly = (ax + 6, (ay + by) / 2 - 10) if abs(ax - bx) < 1 else ((ax + bx) / 2 - 30, ay - 24)
                out.append(
                    f'        <bpmndi:BPMNLabel><dc:Bounds x="{lx:g}" y="{ly:g}" width="90" height="14" />'
                    "</bpmndi:BPMNLabel>"
                )
            out.append("      </bpmndi:BPMNEdge>")
        out += ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>"]
        return out


def _touched(points: list[tuple[float, float]], x: float, y: float) -> bool:
    return any(abs(px - x) < 1 and abs(py - y) < 1 for px, py in (points[0], points[-1]))


def _dedupe(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    result: list[tuple[float, float]] = []
    for p in points:
        if not result or abs(result[-1][0] - p[0]) > 0.1 or abs(result[-1][1] - p[1]) > 0.1:
            result.append(p)
    # drop collinear middle points
    cleaned: list[tuple[float, float]] = []
    for p in result:
        if len(cleaned) >= 2:
            a, b = cleaned[-2], cleaned[-1]
            if (abs(a[0] - b[0]) < 0.1 and abs(b[0] - p[0]) < 0.1) or (
                abs(a[1] - b[1]) < 0.1 and abs(b[1] - p[1]) < 0.1
            ):
                cleaned[-1] = p
                continue
        cleaned.append(p)
    return cleaned


def io_mapping(inputs: list[tuple[str, str]] | None, outputs: list[tuple[str, str]] | None) -> list[str]:
    if not inputs and not outputs:
        return []
    parts = [f"<zeebe:input source={attr(s)} target={attr(t)} />" for s, t in inputs or []]
    parts += [f"<zeebe:output source={attr(s)} target={attr(t)} />" for s, t in outputs or []]
    return [f"<zeebe:ioMapping>{''.join(parts)}</zeebe:ioMapping>"]


def multi_instance(collection: str, element: str, output_collection: str, output_element: str, seq: bool) -> str:
    return (
        f'<bpmn:multiInstanceLoopCharacteristics isSequential="{"true" if seq else "false"}">'
        f"<bpmn:extensionElements><zeebe:loopCharacteristics inputCollection={attr(collection)} "
        f"inputElement={attr(element)} outputCollection={attr(output_collection)} "
        f"outputElement={attr(output_element)} /></bpmn:extensionElements>"
        "</bpmn:multiInstanceLoopCharacteristics>"
    )


def error_id(code: str) -> str:
    return "Error_" + "".join(part.capitalize() for part in code.lower().split("_"))


def message_id(name: str) -> str:
    return "Message_" + "".join(part.capitalize() for part in name.replace(".", "-").split("-"))
