"""The admin API's body of a DataTransfer to a station."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# OCPP 1.6 DataTransfer.req: vendorId CiString255Type, messageId CiString50Type; data has
# no limit of its own: ours keeps the frame within what stations take.
MAX_DATA_LENGTH = 65_536


class DataTransferBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vendor_id: Annotated[str, Field(min_length=1, max_length=255)] = Field(
        alias="vendorId", description="Identifies the vendor's implementation."
    )
    message_id: Annotated[str, Field(min_length=1, max_length=50)] | None = Field(
        default=None, alias="messageId", description="The vendor's message."
    )
    data: Annotated[str, Field(max_length=MAX_DATA_LENGTH)] | None = Field(
        default=None, description="Text (often JSON) the vendor defines."
    )

    def payload(self) -> dict[str, str]:
        payload = {"vendorId": self.vendor_id}
        if self.message_id is not None:
            payload["messageId"] = self.message_id
        if self.data is not None:
            payload["data"] = self.data
        return payload
