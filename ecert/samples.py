"""Representative field values for every licence type, on the long side of real data.

The size checks (tests and ``bench/ecert.py``) encode these: a four-character name, a full
enterprise name, a long address, every static field filled. Nothing here is a real person.
"""

from __future__ import annotations

from typing import Any

_PERSON = {
    "name": "欧阳秀英",
    "gender": "女",
    "birth_date": "1948-03-12",
    "id_number": "3601**********1224",
    "ethnicity": "汉族",
    "address": "江西省南昌市东湖区八一大道357号3栋2单元501室",
}

SAMPLES: dict[str, dict[str, Any]] = {
    "id_card": {**_PERSON, "valid_from": "2016-03-01", "valid_until": "2036-03-01"},
    "household_register": {**_PERSON, "household_region": "360102", "relation": "户主"},
    "residence_permit": {
        **_PERSON,
        "residence_region": "江西省赣州市章贡区",
        "residence_address": "江西省赣州市章贡区文清路8号",
        "valid_from": "2026-01-01",
        "valid_until": "2027-01-01",
    },
    "business_licence": {
        "name": "南昌绿源食品有限公司",
        "credit_code": "91360113MA35LY0Q1J",
        "kind": "有限责任公司（自然人投资或控股）",
        "legal_rep": "欧阳建国",
        "registered_capital": "500万元",
        "established_on": "2019-04-18",
        "address": "江西省南昌市红谷滩区丰和中大道1000号5层",
        "scope": "食品生产；食品经营；农副产品销售",
    },
    "food_licence": {
        "name": "南昌绿源食品有限公司",
        "credit_code": "91360113MA35LY0Q1J",
        "licence_no": "JY13601130012345",
        "items": "预包装食品销售；热食类食品制售",
        "address": "江西省南昌市红谷滩区丰和中大道1000号5层",
        "valid_until": "2029-04-17",
    },
    "driving_licence": {**_PERSON, "licence_class": "A2D", "first_issued": "1992-04-10", "valid_until": "2032-04-10"},
    "marriage_certificate": {
        "name": "欧阳秀英",
        "id_number": "3601**********1224",
        "spouse_name": "王**明",
        "registered_on": "1972-05-01",
        "certificate_no": "J360102-1972-000123",
    },
    "property_certificate": {
        "name": "欧阳秀英",
        "certificate_no": "赣(2024)南昌市不动产权第0012345号",
        "location": "南昌市东湖区八一大道357号3栋2单元501室",
        "area": "89.52",
        "use": "城镇住宅用地/住宅",
    },
    "social_security_card": {**_PERSON, "card_no": "A12******789", "valid_until": "2034-06-30"},
    "diploma": {
        **_PERSON,
        "school": "南昌大学",
        "major": "食品科学与工程",
        "level": "本科",
        "graduated_on": "2010-06-30",
        "certificate_no": "104031201005001234",
    },
    "birth_medical_certificate": {
        "name": "王小宝",
        "gender": "男",
        "birth_date": "2026-05-04",
        "birth_place": "江西省南昌市东湖区",
        "mother_name": "李*华",
        "father_name": "王*明",
        "certificate_no": "Q360123456",
    },
    "disability_card": {**_PERSON, "category": "肢体", "grade": "三级", "valid_until": "2035-12-31"},
    "elderly_card": {**_PERSON, "region": "360102", "issued_on": "2008-06-01"},
}
