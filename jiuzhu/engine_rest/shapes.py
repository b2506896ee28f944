"""Request bodies of the v2 API (Camunda 8.8 names, camelCase). Responses are built in ``views``.

Keys travel as strings (Camunda's ``LongKey``); integers are accepted too. Filter properties are
either a plain value (equality) or an operator object such as ``{"$in": [...]}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from jiuzhu.engine.errors import EngineError
from jiuzhu.engine.variables import INT64_MAX, check_document

Operator = Literal["$eq", "$neq", "$exists", "$in", "$notIn", "$like", "$gt", "$gte", "$lt", "$lte"]
FilterValue = str | int | float | bool | dict[Operator, Any] | None


def _checked_variables(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The same door as gRPC: NaN, lone surrogates, int64 overflow, depth and size are refused."""
    if value is None:
        return None
    try:
        return check_document(value)
    except EngineError as err:
        raise ValueError(err.message) from None


Variables = Annotated[dict[str, Any] | None, AfterValidator(_checked_variables)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class VariableValueFilter(Strict):
    name: str
    value: FilterValue = None  # the variable's value serialized as JSON


class UserTaskFilter(Strict):
    state: FilterValue = None
    assignee: FilterValue = None
    candidate_group: FilterValue = Field(default=None, alias="candidateGroup")
    candidate_user: FilterValue = Field(default=None, alias="candidateUser")
    process_instance_key: FilterValue = Field(default=None, alias="processInstanceKey")
    process_definition_key: FilterValue = Field(default=None, alias="processDefinitionKey")
    process_definition_id: FilterValue = Field(default=None, alias="processDefinitionId")
    element_id: FilterValue = Field(default=None, alias="elementId")
    element_instance_key: FilterValue = Field(default=None, alias="elementInstanceKey")
    user_task_key: FilterValue = Field(default=None, alias="userTaskKey")
    name: FilterValue = None
    priority: FilterValue = None
    due_date: FilterValue = Field(default=None, alias="dueDate")
    follow_up_date: FilterValue = Field(default=None, alias="followUpDate")
    creation_date: FilterValue = Field(default=None, alias="creationDate")
    completion_date: FilterValue = Field(default=None, alias="completionDate")
    tenant_id: FilterValue = Field(default=None, alias="tenantId")
    process_instance_variables: list[VariableValueFilter] = Field(
        default_factory=list, alias="processInstanceVariables"
    )
    local_variables: list[VariableValueFilter] = Field(default_factory=list, alias="localVariables")


class SortField(Strict):
    field: str
    order: Literal["ASC", "DESC", "asc", "desc"] = "ASC"


class PageRequest(Strict):
    from_: int | None = Field(default=None, alias="from", ge=0)
    limit: int = Field(default=100, ge=1, le=10000)
    after: str | None = None
    before: str | None = None


class UserTaskSearch(Strict):
    filter: UserTaskFilter = Field(default_factory=UserTaskFilter)
    sort: list[SortField] = Field(default_factory=list)
    page: PageRequest = Field(default_factory=PageRequest)


class VariableFilter(Strict):
    name: FilterValue = None


class VariableSearch(Strict):
    filter: VariableFilter = Field(default_factory=VariableFilter)
    sort: list[SortField] = Field(default_factory=list)
    page: PageRequest = Field(default_factory=PageRequest)


class AssignmentRequest(Strict):
    assignee: str = Field(min_length=1)
    allow_override: bool | None = Field(default=None, alias="allowOverride")
    action: str | None = None


class CompletionRequest(Strict):
    variables: Variables = None
    action: str | None = None


class CreateProcessInstance(BaseModel):
    """Unknown fields (startInstructions, tags, …) are accepted and ignored, as the engine lacks them."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    process_definition_id: str | None = Field(default=None, alias="processDefinitionId")
    process_definition_key: int | None = Field(default=None, alias="processDefinitionKey", ge=0, le=INT64_MAX)
    process_definition_version: int = Field(default=-1, alias="processDefinitionVersion", ge=-1, le=2**31 - 1)
    variables: Variables = None
    tenant_id: str | None = Field(default=None, alias="tenantId")
    await_completion: bool = Field(default=False, alias="awaitCompletion")
    # at most an hour: a longer wait would hold a server thread (and overflows the wait beyond)
    request_timeout: int = Field(default=0, alias="requestTimeout", ge=0, le=3_600_000)

    @field_validator("process_definition_key", mode="before")
    @classmethod
    def _key(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.isdigit() or len(value) > 19:
                raise ValueError("processDefinitionKey must be a numeric key within 64 bits")
            return int(value)
        return value
