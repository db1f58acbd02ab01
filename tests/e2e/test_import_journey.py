"""An editor imports enterprises in the browser: a file with bad rows is refused row by row and writes
nothing; the corrected file is previewed, confirmed and written."""

import pytest

from organizations.models import Enterprise
from tests.e2e.conftest import PASSWORD, login
from tests.factories import make_uscc, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_import_with_bad_rows_lists_them_and_writes_nothing_then_the_corrected_file_is_written(page, world,
                                                                                                   tmp_path):
    make_user("region_editor", region=world.county_a, username="import_editor", password=PASSWORD)
    good_a, good_b = make_uscc(7101), make_uscc(7102)
    bad = tmp_path / "enterprises.csv"
    bad.write_text("统一社会信用代码,企业名称,区域代码\n"
                   f"{good_a},黔城新能源有限公司,{world.town_a.code}\n"
                   f"{good_b[:-1]}X,校验位错误有限公司,{world.town_a.code}\n"
                   f"{make_uscc(7103)},区域不存在有限公司,999999999\n", encoding="utf-8")
    login(page, "import_editor")
    page.goto(page.base_url + "/imports/enterprises/")
    page.set_input_files("[data-testid=import-form] input[type=file]", str(bad))
    page.click("[data-testid=import-form] button[type=submit]")
    errors = page.locator("[data-testid=import-errors]").inner_text()
    assert "第 3 行" in errors and "第 4 行" in errors and "第 2 行" not in errors
    assert page.locator("[data-testid=import-confirm]").count() == 0
    assert not Enterprise.objects.filter(uscc__in=[good_a, good_b]).exists()

    fixed = tmp_path / "enterprises-fixed.csv"
    fixed.write_text("统一社会信用代码,企业名称,区域代码\n"
                     f"{good_a},黔城新能源有限公司,{world.town_a.code}\n"
                     f"{good_b},校验位已改正有限公司,{world.town_a.code}\n", encoding="utf-8")
    page.goto(page.base_url + "/imports/enterprises/")
    page.set_input_files("[data-testid=import-form] input[type=file]", str(fixed))
    page.click("[data-testid=import-form] button[type=submit]")
    assert page.locator("[data-testid=import-errors]").count() == 0
    assert not Enterprise.objects.filter(uscc=good_a).exists()  # a preview writes nothing
    page.click("[data-testid=import-confirm]")
    page.locator("[data-testid=import-done]").wait_for()
    assert set(Enterprise.objects.filter(uscc__in=[good_a, good_b]).values_list("name", flat=True)) == {
        "黔城新能源有限公司", "校验位已改正有限公司"}
