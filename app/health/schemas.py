from pydantic import BaseModel, Field


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    version: str = Field(description="Full API version (also in the API-Version header).")


class Readiness(BaseModel):
    status: str = Field(examples=["ready"])
    database: str = Field(examples=["postgresql"])
    schema_revision: str = Field(description="The Alembic revision the database is at.")
