"""The matter catalogue (事项清单): standard elements, versions, form schemas and search."""
